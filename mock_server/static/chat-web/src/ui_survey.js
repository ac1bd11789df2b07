/* ui_survey.js, UI part of widget.js: the widget UI's satisfaction survey (CSAT), at the end of an
 * ended thread: the rating, then the follow-up question, then thanks; each step is one
 * submitSatisfactionForm call.
 * Uses: K; K.TAG, E.request (sdk.js); U, U.el (ui.js); the thread's composer (ui_thread.js).
 * Defines for later parts: FACES; U.showSurvey, surveyRating, surveyFollowup, submitSurvey. */

// faces of the emoticons block that common fonts (DejaVu) draw; a thumbs scale for two options
var FACES = { 2: ['\uD83D\uDC4E', '\uD83D\uDC4D'], 3: ['\uD83D\uDE1E', '\uD83D\uDE10', '\uD83D\uDE04'],
  5: ['\uD83D\uDE1E', '\uD83D\uDE15', '\uD83D\uDE10', '\uD83D\uDE0A', '\uD83D\uDE04'] };

U.showSurvey = function (survey) {
  var view = this.view;
  if (!survey || !view || view.kind !== 'thread' || survey.conversationId !== view.id) return;
  if (this.survey && this.survey.status === survey.status && this.survey.id === survey.satisfactionId) return;
  if (!this.surveyBox) {
    this.surveyBox = this.el('section', { 'class': 'survey', 'data-testid': 'satisfaction', role: 'group',
      'aria-label': (survey.form || {}).name || 'Satisfaction survey' });
    this.body.insertBefore(this.surveyBox, this.composer);
  }
  this.survey = { id: survey.satisfactionId, status: survey.status };
  var box = this.surveyBox;
  while (box.firstChild) box.removeChild(box.firstChild);
  box.hidden = survey.status === 'canceled';
  if (survey.status === 'offered') this.surveyRating(survey);
  else if (survey.status === 'rated' && (survey.form || {}).followupQuestion) this.surveyFollowup(survey);
  else if (survey.status !== 'canceled') {
    box.appendChild(this.el('p', { 'class': 'survey-thanks', 'data-testid': 'satisfaction-thanks', role: 'status',
      text: 'Thank you for your feedback!' }));
  }
};

U.surveyRating = function (survey) {
  var self = this, form = survey.form || {}, scale = form.scale || {}, count = scale.options || 5;
  var faces = scale.type === 'number' ? null : (FACES[count] || null);
  if (form.introduction) this.surveyBox.appendChild(this.el('p', { 'class': 'survey-intro', text: form.introduction }));
  var prompt = this.el('p', { 'class': 'survey-prompt', id: 'survey-prompt', text: form.ratingPrompt || 'How did we do?' });
  var row = this.el('div', { 'class': 'survey-scale', role: 'group', 'aria-labelledby': 'survey-prompt' });
  for (var rating = 1; rating <= count; rating++) {
    var label = rating === 1 && scale.labelLow ? ': ' + scale.labelLow : rating === count && scale.labelHigh ? ': ' + scale.labelHigh : '';
    row.appendChild(this.el('button', { type: 'button', 'class': 'survey-option', 'data-rating': String(rating),
      'aria-label': 'Rate ' + rating + ' out of ' + count + label, text: faces ? faces[rating - 1] : String(rating),
      onclick: (function (value) { return function () { self.submitSurvey(survey, { rating: value }); }; })(rating) }));
  }
  this.surveyBox.appendChild(prompt);
  this.surveyBox.appendChild(row);
  if (scale.labelLow || scale.labelHigh) {
    this.surveyBox.appendChild(this.el('div', { 'class': 'survey-labels', 'aria-hidden': 'true' },
      [this.el('span', { text: scale.labelLow || '' }), this.el('span', { text: scale.labelHigh || '' })]));
  }
};

U.surveyFollowup = function (survey) {
  var self = this, form = survey.form || {};
  var input = this.el('textarea', { 'class': 'input', rows: '2', id: 'survey-followup',
    'data-testid': 'satisfaction-followup' });
  this.surveyBox.appendChild(this.el('label', { 'for': 'survey-followup', 'class': 'survey-prompt',
    text: form.followupQuestion }));
  this.surveyBox.appendChild(input);
  this.surveyBox.appendChild(this.el('button', { type: 'button', 'class': 'primary', 'data-testid': 'satisfaction-submit',
    text: 'Submit feedback', onclick: function () {
      var text = input.value.trim();
      if (!text) { input.focus(); return; }
      self.submitSurvey(survey, { answers: [{ id: form.followupQuestionId, prompt: form.followupQuestion, answer: text }] });
    } }));
};

U.submitSurvey = function (survey, response) {
  var self = this, view = this.view;
  var body = Object.assign({ submittedAt: new Date().toISOString() }, response);
  this.engine.request('PUT', '/c/v1/chat/satisfaction-responses/' + encodeURIComponent(survey.satisfactionId), body)
    .then(function (answered) { if (self.view === view) self.showSurvey(answered); }, function (error) {
      console.error(K.TAG + ' the survey could not be sent: ' + error.message);
      if (self.view !== view || !self.surveyBox) return;
      var old = self.surveyBox.querySelector('.survey-error');
      if (old) old.parentNode.removeChild(old);
      self.surveyBox.appendChild(self.el('p', { 'class': 'survey-error error', 'data-testid': 'satisfaction-error',
        role: 'alert', text: 'Your feedback could not be sent (' + (error.code || error.status) + '). Please try again.' }));
    });
};
