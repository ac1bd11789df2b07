/* shared.js, one file served twice: the first part of widget.js and core.js (inside their closure), and
 * the dashboard's first script (api/pages.py serves it as /__admin/ui/shared.js, where `Shared` is a
 * property of window, outside strict mode: nothing here means anything else there). The DOM builder and
 * the error-envelope reader the widget and the dashboard share.
 * Uses: nothing shared.
 * Defines for later files: Shared.el, Shared.errorItem. */

/* exported Shared */
var Shared = {
  /* An element of `doc` (the widget draws into its iframe's document): attrs `text` sets its text,
   * `on<event>` adds a listener, the others are attributes (true: present; null, undefined, false: left
   * out); children are nodes or strings (text), with null, undefined and false left out. */
  el: function (doc, tag, attrs, children) {
    var node = doc.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === undefined || value === null || value === false) return;
      if (name === 'text') node.textContent = value;
      else if (name.slice(0, 2) === 'on') node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : value);
    });
    (children || []).forEach(function (child) {
      if (child === undefined || child === null || child === false) return;
      node.appendChild(typeof child === 'string' ? doc.createTextNode(child) : child);
    });
    return node;
  },

  /* The first item of an error envelope ({"errors": [{status, code, title, detail, source}]}), or null
   * when the body is not one (no body, not JSON, an answer from something else than the mock). */
  errorItem: function (body) {
    var errors = body !== null && typeof body === 'object' ? body.errors : null;
    return Array.isArray(errors) && errors[0] !== null && typeof errors[0] === 'object' ? errors[0] : null;
  }
};
