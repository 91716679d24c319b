"""One decorator for role checks; object rules live on the models."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user
from flask_security import login_required

ROLE_CHECKS = {
    "member": lambda user: True,
    "staff": lambda user: user.is_staff,  # admin implies staff
    "admin": lambda user: user.is_admin,
    "logistics": lambda user: user.is_logistics,
}


def role_required(role: str):
    """Anonymous visitors are sent to sign in; signed-in users without the role get 403."""
    check = ROLE_CHECKS[role]

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


member_required = role_required("member")
staff_required = role_required("staff")
admin_required = role_required("admin")
logistics_required = role_required("logistics")
