"""Expectation builders for the access matrix, shared by the domains' route tables."""

ROLES = ["anonymous", "focal_point", "secretariat", "auditor", "admin"]


def everyone(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status):
    return {"anonymous": 302, **dict.fromkeys(ROLES[1:], status)}


def only(*roles, ok=200, others=403):
    return {role: (ok if role in roles else 302 if role == "anonymous" else others) for role in ROLES}


def roles(**statuses):
    return {"anonymous": 302, "admin": 403, **statuses}
