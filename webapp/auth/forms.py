"""The sign-in form (Flask-WTF: carries the CSRF token)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("E-mail address", validators=[InputRequired("Enter your e-mail address."), Length(max=254)],
                       render_kw={"autocomplete": "username", "inputmode": "email", "autocapitalize": "none",
                                  "spellcheck": "false"})
    password = PasswordField("Password", validators=[InputRequired("Enter your password."), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField("Sign in")
