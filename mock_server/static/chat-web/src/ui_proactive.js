/* ui_proactive.js, last UI part of widget.js: the widget UI's proactive chat: a message above the
 * launcher, with no conversation until the customer answers it. As Kustomer documents, it needs the
 * Kustomer launcher (not with hideChatIcon).
 * Uses: K; K.TAG (sdk.js); U, U.el, visible, layout (ui.js); U.newThread (ui_thread.js).
 * Defines for later parts: TEASER; U.onProactive, renderTeaser, answerProactive, teaserSize. */

var TEASER = { width: 'min(360px, 100vw)', height: '230px' };

U.onProactive = function (message) {
  if (!this.frame || !message) return;
  if (this.options.hideChatIcon || !this.visible()) {
    console.warn(K.TAG + ' a proactive message arrived but is not shown: it needs the Kustomer launcher');
    return;
  }
  this.proactive = message;
  if (this.isOpen) { this.answerProactive(); return; }   // the panel is up: straight into the thread
  this.renderTeaser();
  this.layout();
};

U.renderTeaser = function () {
  var self = this, message = this.proactive;
  if (this.teaser) this.teaser.parentNode.removeChild(this.teaser);
  this.teaser = null;
  if (!message || this.isOpen) return;
  var name = (message.sentBy || {}).displayName || 'Support';
  this.teaser = this.el('section', { 'class': 'teaser', 'data-testid': 'proactive', role: 'dialog',
    'aria-label': 'Message from ' + name }, [
    this.el('button', { type: 'button', 'class': 'teaser-dismiss', 'aria-label': 'Dismiss message', text: '\u00D7',
      onclick: function () { self.proactive = null; self.renderTeaser(); self.layout(); } }),
    this.el('div', { 'class': 'author', text: name }),
    this.el('p', { 'class': 'teaser-body', text: message.body }),
    this.el('button', { type: 'button', 'class': 'primary', text: 'Reply',
      onclick: function () { self.answerProactive(); } })]);
  this.launcher.parentNode.insertBefore(this.teaser, this.launcher);
};

/* A draft thread that opens with the proactive message; the first reply creates the conversation. */
U.answerProactive = function () {
  var message = this.proactive;
  this.proactive = null;
  this.renderTeaser();
  this.newThread({ proactive: message });
};

U.teaserSize = function () { return this.proactive && !this.isOpen ? TEASER : null; };
