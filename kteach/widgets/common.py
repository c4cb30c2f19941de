"""Small pieces the widgets share: code shown in a ``<pre>``, the Show code / Hide code
button, and the message for a run whose loss blew up."""
from __future__ import annotations

import html


def pre(text: str, size: int = 12, wrap: bool = False) -> str:
    """``text`` as HTML in a ``<pre>`` block (escaped), at ``size`` px; ``wrap`` breaks long
    lines instead of making the block scroll sideways."""
    style = f"font-size:{size}px;line-height:1.25" + (";white-space:pre-wrap" if wrap else "")
    return f"<pre style='{style}'>{html.escape(text)}</pre>"


class CodeToggle:
    """Mixin for a widget with ``code()``, a ``code_html`` (HTML widget) and a
    ``code_button``: the button shows or hides the code under the panel."""

    def toggle_code(self) -> None:
        """Show or hide the code (the "Show code" button)."""
        hidden = self.code_html.layout.display == "none"
        self.code_html.layout.display = None if hidden else "none"
        self.code_button.description = "Hide code" if hidden else "Show code"
        self.code_html.value = pre(self.code()) if hidden else ""

    def _update_code(self) -> None:
        """Keep the code up to date while it is shown."""
        if self.code_html.layout.display != "none":
            self.code_html.value = pre(self.code())


def diverged_message(error: Exception, epoch: int) -> str:
    """"The loss became inf in epoch 3: ..." for kteach's NaN error (a
    :class:`~kteach.engine.errors.NumericalError`, whose ``loss`` says what the loss became).
    ``epoch`` counts the widget's epochs: the widgets call ``fit`` once per epoch, so the
    error's own epoch is always 1."""
    loss = getattr(error, "loss", None)
    became = "The loss became " + ("NaN or infinite" if loss is None else f"{loss}")
    return (f"{became} in epoch {epoch}: the steps were so large that the weights blew up. "
            f"Try a learning rate ten times smaller.")
