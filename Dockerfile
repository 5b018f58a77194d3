# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings that start; the real values come from the env file at run time.
RUN DJANGO_SECRET_KEY=build DATABASE_URL=sqlite:////tmp/build.db DJANGO_ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput
RUN useradd --create-home lockdown && mkdir -p /app/var && chown -R lockdown /app/var
USER lockdown
EXPOSE 8000
CMD ["gunicorn", "lockdown.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
