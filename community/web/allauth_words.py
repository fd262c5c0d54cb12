"""django-allauth's own words that members and staff meet on its pages, forms,
messages and emails (sign in, password reset and change, reauthenticating,
two-factor), and Django's password rules shown on them.

allauth has no Welsh, so on a /cy/ page they were English, and its English is
in Title Case ("Reset My Password") where NHS style writes sentence case.
Marking them here puts them in Harbour's catalogues, which LOCALE_PATHS puts
before allauth's and Django's: locale/cy gives their Welsh
(tests/cms/test_welsh.py holds every marked string to having it) and
locale/en their sentence case. Nothing calls `ALLAUTH_WORDS`: allauth looks the
strings up itself, so each must be its msgid exactly (tests/cms/test_welsh.py
checks that allauth or Django still has it). Found by recording what those
pages look up that had no Welsh; Wagtail's own editor bar is left to Wagtail.
"""

from django.utils.translation import gettext_noop

ALLAUTH_WORDS = (
    # Signing in and out.
    gettext_noop("Remember Me"),
    gettext_noop("Forgot your password?"),
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("You have signed out."),
    # Resetting a forgotten password, and its email.
    gettext_noop("Password Reset"),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send "
        "you an email allowing you to reset it."
    ),
    gettext_noop("Reset My Password"),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your "
        "spam folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop("Bad Token"),
    gettext_noop(
        "The password reset link was invalid, possibly because it has already been "
        'used.  Please request a <a href="%(passwd_reset_url)s">new password '
        "reset</a>."
    ),
    gettext_noop("Your password is now changed."),
    gettext_noop("Password Reset Email"),
    gettext_noop("Hello from %(site_name)s!"),
    gettext_noop(
        "You're receiving this email because you or someone else has requested a "
        "password reset for your user account.\nIt can be safely ignored if you did "
        "not request a password reset. Click the link below to reset your password."
    ),
    gettext_noop("Thank you for using %(site_name)s!\n%(site_domain)s"),
    # Changing a password, and the rules a new one must meet.
    gettext_noop("Change Password"),
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Please type your current password."),
    gettext_noop("You must type the same password each time."),
    gettext_noop("Password successfully changed."),
    gettext_noop("This password is too common."),
    gettext_noop(
        "Your password can’t be too similar to your other personal information."
    ),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    # Confirming it is you before a sensitive change.
    gettext_noop("Enter your password:"),
    gettext_noop("Confirm"),
    gettext_noop("Incorrect password."),
    # Two-factor sign-in (staff: authenticator apps and recovery codes only,
    # MFA_SUPPORTED_TYPES, so nothing of security keys).
    gettext_noop("Sign In"),
    gettext_noop("Alternative options"),
    gettext_noop("Authenticator code"),
    gettext_noop("Incorrect code."),
    gettext_noop("Activate Authenticator App"),
    gettext_noop("Authenticator secret"),
    gettext_noop(
        "You can store this secret and use it to reinstall your authenticator app "
        "at a later time."
    ),
    gettext_noop("Deactivate Authenticator App"),
    gettext_noop("Two-Factor Authentication"),
    gettext_noop("Authenticator App"),
    gettext_noop("Authentication using an authenticator app is active."),
    gettext_noop("An authenticator app is not active."),
    gettext_noop("Activate"),
    gettext_noop("Deactivate"),
    gettext_noop("Recovery Codes"),
    gettext_noop("No recovery codes set up."),
    gettext_noop("Generate"),
    gettext_noop("View"),
    gettext_noop("Download"),
    gettext_noop("Unused codes"),
    gettext_noop("Download codes"),
    gettext_noop("Generate new codes"),
    gettext_noop("I have saved my recovery codes"),
)
