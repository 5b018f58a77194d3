class ServiceError(Exception):
    """A write refused for a reason a person can read; views show it, never a 500.

    `field` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(ServiceError):
    """A write the actor's role or areas do not allow: the API answers 403, as the pages do."""
