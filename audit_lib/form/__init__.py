"""The inspection form: ipywidgets in JupyterLab, or an app served by Voilà.

Usage (in a notebook)::

    from audit_lib.form import show_form
    show_form()                      # the working database, Vietnamese

``FormServer`` starts Voilà on 127.0.0.1 for ``audit form``.
"""

from audit_lib.form._form import InspectionForm, show_form
from audit_lib.form._server import FormServer
from audit_lib.form._session import FormSession

__all__ = ["FormServer", "FormSession", "InspectionForm", "show_form"]
