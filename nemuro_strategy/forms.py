"""The login form: Django's AuthenticationForm with the username's length actually checked."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """AuthenticationForm puts the username's max_length (150) on the widget only, so a longer
    username reached authenticate() and django-axes, whose failure log stores it in a
    varchar(255): PostgreSQL refused the row and the login page answered 500. Here a username
    longer than the model allows is a form error and never reaches authentication."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
