/*
 * Bulk tools: certificate exceptions, invitations and external ids, and the join code, for course staff.
 *
 * Plain JavaScript with no build step. It talks only to the plugin's REST endpoints (their URLs, the CSRF token
 * and every sentence it shows come from the page, in the JSON element #cxp-config) with the session cookie.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 50;
  var POLL_MS = 1000;
  var FILE_ERRORS = ["no_file", "not_csv", "not_utf8", "malformed_csv", "empty_file", "too_many_rows",
                     "file_too_large", "invalid_request"];

  function ApiError(message, code, status, errors) {
    this.message = message;
    this.code = code || "";
    this.status = status || 0;
    this.errors = errors || null;
  }

  function make(tag, attributes, children) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") {
        element.textContent = value;
      } else {
        element.setAttribute(name, value === true ? "" : value);
      }
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        element.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return element;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function Client(config) {
    this.config = config;
    this.t = function (key) { return config.strings[key] || key; };
  }

  /* One request; resolves to {status, data}, rejects with an ApiError carrying the API's sentence. */
  Client.prototype.request = async function (method, url, body) {
    var headers = {"Accept": "application/json"};
    var payload = body;
    if (method !== "GET") { headers["X-CSRFToken"] = this.config.csrfToken; }
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    var response;
    try {
      response = await fetch(url, {method: method, headers: headers, body: payload, credentials: "same-origin"});
    } catch (exc) {
      throw new ApiError(this.t("network_error"), "network_error");
    }
    var data = null;
    try { data = await response.json(); } catch (exc) { data = null; }
    if (!response.ok) {
      var message = data && data.message ? data.message : format(this.t("unexpected_error"), {status: response.status});
      throw new ApiError(message, data && data.error_code, response.status, data && data.errors);
    }
    return {status: response.status, data: data};
  };

  function showError(element, message) {
    element.textContent = message || "";
    element.hidden = !message;
  }

  function fieldErrors(errors) {
    var messages = {};
    Object.keys(errors || {}).forEach(function (field) {
      var value = errors[field];
      messages[field] = Array.isArray(value) ? value.map(function (item) {
        return typeof item === "string" ? item : JSON.stringify(item);
      }).join(" ") : String(value);
    });
    return messages;
  }

  /* Previous / "page 2 of 5" / next; nothing for a single page. */
  function drawPager(pager, t, page, pages, go) {
    pager.replaceChildren();
    if (pages <= 1) { return; }
    var previous = make("button", {type: "button", "class": "cxp-button", disabled: page <= 1,
                                   text: t("previous_page")});
    var next = make("button", {type: "button", "class": "cxp-button", disabled: page >= pages, text: t("next_page")});
    previous.addEventListener("click", function () { go(page - 1); });
    next.addEventListener("click", function () { go(page + 1); });
    pager.append(previous, make("span", {text: format(t("page_of"), {page: page, pages: pages})}), next);
  }

  /*
   * The path of a URL the API answered with. The API builds absolute URLs from the request, which behind a proxy
   * that the LMS does not trust for the scheme can say http on an https page; every plugin URL is on this origin.
   */
  function path(url) {
    var parsed = new URL(url, window.location.href);
    return parsed.pathname + parsed.search;
  }

  function localTime(iso) {
    return iso ? new Date(iso).toLocaleString() : "";
  }

  /* ---------------------------------------------------------------------------------------------------------- */
  /* Where a result's rows come from: the response of a small upload, or an operation's paged rows endpoint.    */

  function localRows(rows) {
    return async function (outcome, page) {
      var matching = outcome ? rows.filter(function (row) { return row.outcome === outcome; }) : rows;
      return {results: matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), count: matching.length,
              num_pages: Math.max(1, Math.ceil(matching.length / PAGE_SIZE))};
    };
  }

  function remoteRows(client, rowsUrl) {
    return async function (outcome, page) {
      var query = "?page_size=" + PAGE_SIZE + "&page=" + page +
        (outcome ? "&outcome=" + encodeURIComponent(outcome) : "");
      return (await client.request("GET", rowsUrl + query)).data;
    };
  }

  /* ---------------------------------------------------------------------------------------------------------- */
  /* An import: choose a file, preview (dry run), apply; results, progress of large files, recent imports.      */

  function ImportPanel(element, client, kindConfig) {
    this.element = element;
    this.client = client;
    this.t = client.t;
    this.kind = kindConfig;
    this.form = element.querySelector("[data-cxp-import-form]");
    this.file = element.querySelector("[data-cxp-file]");
    this.previewButton = element.querySelector("[data-cxp-preview]");
    this.applyButton = element.querySelector("[data-cxp-apply]");
    this.fileError = element.querySelector("[data-cxp-error=file]");
    this.actionError = element.querySelector("[data-cxp-error=action]");
    this.status = element.querySelector("[data-cxp-status]");
    this.progress = element.querySelector("[data-cxp-progress]");
    this.result = element.querySelector("[data-cxp-result]");
    this.recent = element.querySelector("[data-cxp-recent]");
    this.previewed = null;  // what the last successful preview was of: file and options
    this.shown = 0;  // bumped whenever another result takes the view, so older polls stop drawing
    var self = this;
    this.form.addEventListener("submit", function (event) { event.preventDefault(); self.upload(true); });
    this.applyButton.addEventListener("click", function () { self.upload(false); });
    this.form.addEventListener("change", function () { self.updateApply(); });
    this.loadRecent();
  }

  ImportPanel.prototype.options = function () {
    var data = {};
    Array.prototype.forEach.call(this.form.elements, function (input) {
      if (!input.name || input.name === "file") { return; }
      if (input.type === "checkbox") { data[input.name] = input.checked ? "true" : "false"; }
      else if (input.type !== "radio" || input.checked) { data[input.name] = input.value; }
    });
    return data;
  };

  ImportPanel.prototype.signature = function () {
    var file = this.file.files[0];
    return file ? JSON.stringify([file.name, file.size, file.lastModified, this.options()]) : null;
  };

  ImportPanel.prototype.updateApply = function () {
    this.applyButton.disabled = this.previewed === null || this.previewed !== this.signature();
  };

  ImportPanel.prototype.upload = async function (dryRun) {
    showError(this.fileError, "");
    showError(this.actionError, "");
    var file = this.file.files[0];
    if (!file) {
      showError(this.fileError, this.t("choose_file"));
      this.file.focus();
      return;
    }
    var signature = this.signature();
    var body = new FormData();
    body.append("file", file);
    body.append("dry_run", dryRun ? "true" : "false");
    var options = this.options();
    Object.keys(options).forEach(function (name) { body.append(name, options[name]); });
    this.setBusy(true, dryRun ? this.t("previewing") : this.t("applying"));
    try {
      var answer = await this.client.request("POST", this.kind.url, body);
      this.previewed = dryRun ? signature : null;
      if (answer.status === 202) {
        await this.track(answer.data);
      } else {
        this.showResult(answer.data, localRows(answer.data.rows));
      }
      if (!dryRun) { this.element.dispatchEvent(new CustomEvent("cxp-imported", {bubbles: true})); }
    } catch (exc) {
      if (!(exc instanceof ApiError)) { throw exc; }
      this.status.textContent = "";
      var message = exc.errors ? exc.message + " " + Object.values(fieldErrors(exc.errors)).join(" ") : exc.message;
      if (FILE_ERRORS.indexOf(exc.code) >= 0) {
        showError(this.fileError, message);
        this.file.focus();
      } else {
        showError(this.actionError, message);
      }
    } finally {
      this.setBusy(false);
      this.updateApply();
      this.loadRecent();
    }
  };

  ImportPanel.prototype.setBusy = function (busy, message) {
    this.previewButton.disabled = busy;
    this.applyButton.disabled = busy;
    this.element.setAttribute("aria-busy", busy ? "true" : "false");
    if (message) { this.status.textContent = message; }
  };

  /* Follow a background operation until it ends, with a progress bar; then show its result (or its error). */
  ImportPanel.prototype.track = async function (operation) {
    var ticket = ++this.shown;
    this.result.hidden = true;
    this.progress.hidden = false;
    while (operation.status === "pending" || operation.status === "running") {
      this.drawProgress(operation);
      await sleep(POLL_MS);
      if (ticket !== this.shown) { return; }
      operation = (await this.client.request("GET", path(operation.url))).data;
    }
    this.drawProgress(operation);
    this.progress.hidden = true;
    if (operation.status === "succeeded") {
      this.showResult({dry_run: operation.dry_run, summary: operation.summary, report_url: operation.report_url},
                      remoteRows(this.client, path(operation.rows_url)));
    } else {
      this.showFailure(operation);
    }
  };

  ImportPanel.prototype.drawProgress = function (operation) {
    var bar = this.progress.querySelector("progress");
    bar.max = Math.max(1, operation.rows_total);
    bar.value = operation.rows_done;
    this.progress.querySelector("[data-cxp-progress-text]").textContent =
      format(this.t("progress"), {done: operation.rows_done, total: operation.rows_total});
  };

  ImportPanel.prototype.showFailure = function (operation) {
    var self = this;
    var error = operation.error || {};
    this.status.textContent = "";
    this.result.hidden = false;
    this.result.replaceChildren(
      make("p", {"class": "cxp-error", role: "alert", text: format(this.t("operation_failed"), {
        message: error.message || operation.status})}),
      make("button", {type: "button", "class": "cxp-button", text: this.t("retry")})
    );
    this.result.querySelector("button").addEventListener("click", async function () {
      try {
        await self.track((await self.client.request("POST", path(operation.url) + "/retry")).data);
      } catch (exc) {
        showError(self.actionError, exc.message);
      }
      self.loadRecent();
    });
  };

  /* The summary (counts per outcome, each one a filter), the rows a page at a time, and the report. */
  ImportPanel.prototype.showResult = function (body, rows) {
    var self = this;
    var ticket = ++this.shown;
    var summary = body.summary || {};
    var state = {outcome: "", page: 1};
    var heading = make("p", {"class": "cxp-result-title",
                             text: body.dry_run ? this.t("preview_title") : this.t("result_title")});
    var counts = make("div", {"class": "cxp-counts", role: "group", "aria-label": this.t("filter_by_outcome")});
    var table = make("table", {"class": "cxp-table"});
    var pager = make("nav", {"class": "cxp-pager", "aria-label": this.t("row_pages")});
    var extra = summary.external_id_updated ? make("p", {text: format(this.t("ids_changed"), {
      count: summary.external_id_updated})}) : null;

    function countButton(code, label, count) {
      var button = make("button", {type: "button", "class": "cxp-count cxp-count-" + (code || "all"),
                                   "aria-pressed": state.outcome === code ? "true" : "false"},
                        [make("span", {"class": "cxp-count-number", text: String(count)}), " " + label]);
      button.addEventListener("click", function () { state.outcome = code; state.page = 1; draw(); });
      return button;
    }

    async function draw() {
      counts.replaceChildren(countButton("", self.t("all_rows"), summary.rows || 0));
      self.kind.outcomes.forEach(function (outcome) {
        if (summary[outcome.code]) {
          var button = countButton(outcome.code, outcome.label, summary[outcome.code]);
          button.title = outcome.description;
          counts.appendChild(button);
        }
      });
      var page;
      try {
        page = await rows(state.outcome, state.page);
      } catch (exc) {
        table.replaceChildren(make("caption", {"class": "cxp-error", text: exc.message}));
        return;
      }
      if (ticket !== self.shown) { return; }
      self.drawRows(table, page.results, state.outcome);
      drawPager(pager, self.t, state.page, page.num_pages, function (number) { state.page = number; draw(); });
    }

    var report = body.report_url ? make("a", {href: path(body.report_url), download: true, "class": "cxp-report",
                                              text: this.t("download_report")}) : null;
    this.status.textContent = body.dry_run ? this.t("preview_ready") : this.t("apply_done");
    this.result.hidden = false;
    var parts = [heading, counts, extra, make("div", {"class": "cxp-table-wrap", role: "region", tabindex: "0",
                                                    "aria-label": this.t("rows_label")}, [table]), pager, report];
    this.result.replaceChildren.apply(this.result, parts.filter(Boolean));
    draw();
    this.result.focus();
  };

  ImportPanel.prototype.drawRows = function (table, rows, outcome) {
    var self = this;
    var labels = {};
    this.kind.outcomes.forEach(function (item) { labels[item.code] = item.label; });
    var head = make("tr", {}, [make("th", {scope: "col", text: this.t("row_number")})]
      .concat(this.kind.columns.map(function (column) { return make("th", {scope: "col", text: column.label}); }))
      .concat([make("th", {scope: "col", text: this.t("outcome")}),
               make("th", {scope: "col", text: this.t("what_happened")})]));
    var body = make("tbody");
    rows.forEach(function (row) {
      var cells = [make("td", {"data-label": self.t("row_number"), text: String(row.row)})]
        .concat(self.kind.columns.map(function (column) {
          return make("td", {"data-label": column.label}, [self.cell(row, column.field)]);
        }));
      cells.push(make("td", {"class": "cxp-outcome", "data-label": self.t("outcome"),
                             text: labels[row.outcome] || row.outcome}));
      cells.push(make("td", {"data-label": self.t("what_happened"), text: row.message}));
      body.appendChild(make("tr", {"class": "cxp-row-" + row.outcome, "data-outcome": row.outcome}, cells));
    });
    if (!rows.length) {
      body.appendChild(make("tr", {}, [make("td", {colspan: String(this.kind.columns.length + 3),
                                                   text: this.t("no_rows")})]));
    }
    var caption = make("caption", {"class": "cxp-visually-hidden", text: outcome ? format(this.t("rows_of_outcome"), {
      outcome: labels[outcome] || outcome}) : this.t("rows_label")});
    table.replaceChildren(caption, make("thead", {}, [head]), body);
  };

  /* A row's cell; an external id the import set or replaced shows the id it replaced. */
  ImportPanel.prototype.cell = function (row, field) {
    var value = row[field] === null || row[field] === undefined ? "" : String(row[field]);
    if (field !== "external_id" || !row.external_id_updated || row.outcome === "failed") { return value; }
    if (!row.previous_external_id) {
      return make("span", {}, [value + " ", make("span", {"class": "cxp-badge", text: this.t("id_new")})]);
    }
    return make("span", {"class": "cxp-id-change"}, [
      make("del", {"aria-label": format(this.t("id_previous"), {id: row.previous_external_id}),
                   text: row.previous_external_id}),
      make("span", {"aria-hidden": "true", text: " → "}),
      make("ins", {text: value})
    ]);
  };

  ImportPanel.prototype.loadRecent = async function () {
    var self = this;
    var list;
    try {
      list = (await this.client.request("GET", this.kind.operationsUrl + "&page_size=5")).data.results;
    } catch (exc) {
      this.recent.replaceChildren(make("li", {"class": "cxp-error", text: exc.message}));
      return;
    }
    if (!list.length) {
      this.recent.replaceChildren(make("li", {text: this.t("no_recent")}));
      return;
    }
    this.recent.replaceChildren.apply(this.recent, list.map(function (operation) {
      var what = operation.dry_run ? self.t("recent_preview") : self.t("recent_import");
      var text = format(self.t("recent_line"), {what: what, when: localTime(operation.created),
                                                rows: operation.rows_total,
                                                status: self.t("status_" + operation.status)});
      var open = make("button", {type: "button", "class": "cxp-button cxp-small", text: self.t("open"),
                                 "aria-label": self.t("open") + ": " + text});
      open.addEventListener("click", function () { self.open(operation); });
      return make("li", {}, [make("span", {text: text}), " ", open]);
    }));
  };

  ImportPanel.prototype.open = async function (operation) {
    showError(this.actionError, "");
    try {
      await this.track((await this.client.request("GET", path(operation.url))).data);
    } catch (exc) {
      showError(this.actionError, exc.message);
    }
  };

  /* ---------------------------------------------------------------------------------------------------------- */
  /* External ids: search, pages, inline edits.                                                                   */

  function ExternalIds(element, client, config) {
    this.element = element;
    this.client = client;
    this.t = client.t;
    this.config = config;
    this.rows = element.querySelector("[data-cxp-ext-rows]");
    this.pager = element.querySelector("[data-cxp-ext-pager]");
    this.status = element.querySelector("[data-cxp-ext-status]");
    this.searchForm = element.querySelector("[data-cxp-ext-search]");
    this.searchError = element.querySelector("[data-cxp-error=search]");
    this.csvLink = element.querySelector("[data-cxp-ext-csv]");
    this.addForm = element.querySelector("[data-cxp-ext-add]");
    this.addError = element.querySelector("[data-cxp-error=add]");
    this.search = "";
    this.page = 1;
    var self = this;
    this.searchForm.addEventListener("submit", function (event) {
      event.preventDefault();
      self.search = self.searchForm.elements.search.value.trim();
      self.page = 1;
      self.load();
    });
    this.addForm.addEventListener("submit", function (event) { event.preventDefault(); self.add(); });
    this.load();
  }

  ExternalIds.prototype.load = async function () {
    var self = this;
    var query = "?page_size=" + PAGE_SIZE + "&page=" + this.page +
      (this.search ? "&search=" + encodeURIComponent(this.search) : "");
    this.csvLink.href = this.config.csvUrl + (this.search ? "?search=" + encodeURIComponent(this.search) : "");
    showError(this.searchError, "");
    // Only the latest load draws the table: an earlier one (after a save) may answer after a search.
    var ticket = this.latestLoad = (this.latestLoad || 0) + 1;
    var data;
    try {
      data = (await this.client.request("GET", this.config.url + query)).data;
    } catch (exc) {
      if (ticket === this.latestLoad) {
        showError(this.searchError, exc.message);
      }
      return;
    }
    if (ticket !== this.latestLoad) {
      return;
    }
    this.rows.replaceChildren.apply(this.rows, data.results.map(function (entry) { return self.row(entry); }));
    if (!data.results.length) {
      this.rows.appendChild(make("tr", {}, [make("td", {colspan: "4", text: this.t("no_external_ids")})]));
    }
    this.status.textContent = format(this.t("external_id_count"), {count: data.count});
    drawPager(this.pager, this.t, this.page, data.num_pages, function (number) {
      self.page = number;
      self.load();
    });
  };

  ExternalIds.prototype.row = function (entry) {
    var self = this;
    var who = entry.username || entry.email;
    var id = "cxp-ext-" + Math.random().toString(36).slice(2);
    var input = make("input", {type: "text", id: id, value: entry.external_id || "", "aria-describedby": id + "-error",
                               "aria-label": format(this.t("external_id_of"), {learner: who})});
    var error = make("p", {"class": "cxp-error", id: id + "-error", role: "alert", hidden: true});
    var save = make("button", {type: "submit", "class": "cxp-button cxp-small", text: this.t("save"),
                               "aria-label": format(this.t("save_id_of"), {learner: who})});
    var form = make("form", {"class": "cxp-inline-edit", novalidate: true}, [input, save, error]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(error, "");
      try {
        var saved = (await self.client.request("PATCH", self.config.url, {
          learner: entry.username || entry.email, external_id: input.value})).data;
        input.value = saved.external_id || "";
        self.status.textContent = saved.changed ? format(self.t("id_saved"), {learner: who}) : self.t("id_unchanged");
      } catch (exc) {
        showError(error, exc.message);
        input.focus();
      }
    });
    var status = entry.status === "invited" ? this.t("status_invited") : this.t("status_enrolled");
    return make("tr", {}, [make("td", {"data-label": this.t("learner"), text: entry.username || "—"}),
                           make("td", {"data-label": this.t("email"), text: entry.email}),
                           make("td", {"data-label": this.t("status"), text: status}),
                           make("td", {"data-label": this.t("external_id"), "class": "cxp-edit-cell"}, [form])]);
  };

  ExternalIds.prototype.add = async function () {
    var form = this.addForm;
    showError(this.addError, "");
    var learner = form.elements.learner.value.trim();
    if (!learner) {
      showError(this.addError, this.t("learner_required"));
      form.elements.learner.focus();
      return;
    }
    try {
      var saved = (await this.client.request("PATCH", this.config.url, {
        learner: learner, external_id: form.elements.external_id.value})).data;
      this.status.textContent = format(this.t("id_saved"), {learner: saved.username || saved.email});
      form.reset();
      this.load();
    } catch (exc) {
      showError(this.addError, exc.message);
    }
  };

  /* ---------------------------------------------------------------------------------------------------------- */
  /* The join code: create, show, copy, regenerate (after a confirmation), settings.                             */

  function pad(number) { return String(number).padStart(2, "0"); }

  function toLocalInput(iso) {
    if (!iso) { return ""; }
    var date = new Date(iso);
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" +
      pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function JoinCode(element, client, config) {
    this.element = element;
    this.client = client;
    this.t = client.t;
    this.config = config;
    this.find = function (selector) { return element.querySelector(selector); };
    this.error = this.find("[data-cxp-error=join]");
    this.status = this.find("[data-cxp-join-status]");
    this.dialog = this.find("[data-cxp-join-dialog]");
    this.settings = this.find("[data-cxp-join-settings]");
    var self = this;
    this.find("[data-cxp-join-create]").addEventListener("click", function () { self.create(); });
    this.find("[data-cxp-join-copy]").addEventListener("click", function () { self.copy(); });
    this.find("[data-cxp-join-regenerate]").addEventListener("click", function () { self.confirmRegenerate(); });
    this.dialog.addEventListener("close", function () {
      if (self.dialog.returnValue === "confirm") { self.regenerate(); }
    });
    this.settings.addEventListener("submit", function (event) { event.preventDefault(); self.save(); });
    this.load();
  }

  JoinCode.prototype.load = async function () {
    try {
      this.draw((await this.client.request("GET", this.config.url)).data);
    } catch (exc) {
      if (exc.code === "no_join_code") {
        this.find("[data-cxp-join-empty]").hidden = false;
        this.find("[data-cxp-join-current]").hidden = true;
      } else {
        showError(this.error, exc.message);
      }
    }
  };

  JoinCode.prototype.draw = function (code) {
    this.code = code;
    this.find("[data-cxp-join-empty]").hidden = true;
    this.find("[data-cxp-join-current]").hidden = false;
    this.find("[data-cxp-join-value]").textContent = code.code;
    this.find("[data-cxp-join-url]").value = code.join_url;
    this.find("[data-cxp-join-qr]").src = this.config.qrUrl + "?code=" + encodeURIComponent(code.code);
    var state = code.is_usable ? this.t("join_usable") :
      (code.is_active ? this.t("join_expired") : this.t("join_inactive"));
    this.find("[data-cxp-join-state]").textContent =
      state + " " + format(this.t("join_count"), {count: code.join_count});
    var fields = this.settings.elements;
    fields.is_active.checked = code.is_active;
    fields.expires_at.value = toLocalInput(code.expires_at);
    fields.allowed_email_domains.value = code.allowed_email_domains.join(", ");
    fields.max_enrollments.value = code.max_enrollments === null ? "" : code.max_enrollments;
  };

  JoinCode.prototype.run = async function (method, url, body, done) {
    showError(this.error, "");
    try {
      this.draw((await this.client.request(method, url, body)).data);
      this.status.textContent = done;
      return true;
    } catch (exc) {
      showError(this.error, exc.message);
      return false;
    }
  };

  JoinCode.prototype.create = function () {
    return this.run("POST", this.config.url, undefined, this.t("join_created"));
  };

  JoinCode.prototype.copy = async function () {
    var input = this.find("[data-cxp-join-url]");
    try {
      await navigator.clipboard.writeText(input.value);
      this.status.textContent = this.t("link_copied");
    } catch (exc) {
      input.focus();
      input.select();
      this.status.textContent = this.t("link_selected");
    }
  };

  JoinCode.prototype.confirmRegenerate = function () {
    this.find("[data-cxp-join-dialog-text]").textContent = format(this.t("regenerate_warning"), {code: this.code.code});
    this.dialog.returnValue = "";
    this.dialog.showModal();
  };

  JoinCode.prototype.regenerate = async function () {
    var old = this.code.code;
    await this.run("POST", this.config.regenerateUrl, undefined, "");
    if (this.code.code !== old) {
      this.status.textContent = format(this.t("join_regenerated"), {code: this.code.code});
    }
    this.find("[data-cxp-join-regenerate]").focus();
  };

  JoinCode.prototype.save = async function () {
    var fields = this.settings.elements;
    var self = this;
    ["expires_at", "allowed_email_domains", "max_enrollments", "settings"].forEach(function (name) {
      showError(self.find("[data-cxp-error=" + name + "]"), "");
    });
    var body = {
      is_active: fields.is_active.checked,
      expires_at: fields.expires_at.value ? new Date(fields.expires_at.value).toISOString() : null,
      allowed_email_domains: fields.allowed_email_domains.value.split(/[\s,;]+/).filter(Boolean),
      max_enrollments: fields.max_enrollments.value === "" ? null : Number(fields.max_enrollments.value)
    };
    try {
      this.draw((await this.client.request("PATCH", this.config.url, body)).data);
      this.status.textContent = this.t("settings_saved");
    } catch (exc) {
      var messages = fieldErrors(exc.errors);
      var placed = false;
      Object.keys(messages).forEach(function (field) {
        var target = self.find("[data-cxp-error=" + field + "]");
        if (target) {
          showError(target, messages[field]);
          fields[field].focus();
          placed = true;
        }
      });
      if (!placed) { showError(this.find("[data-cxp-error=settings]"), exc.message); }
    }
  };

  /* ---------------------------------------------------------------------------------------------------------- */

  function start(root) {
    if (root.getAttribute("data-cxp-started")) { return; }
    root.setAttribute("data-cxp-started", "true");
    var config = JSON.parse(document.getElementById("cxp-config").textContent);
    var client = new Client(config);
    Array.prototype.forEach.call(root.querySelectorAll("[data-cxp-import]"), function (panel) {
      new ImportPanel(panel, client, config.imports[panel.getAttribute("data-cxp-import")]);
    });
    var externalIds = new ExternalIds(root.querySelector("[data-cxp-external-ids]"), client, config.externalIds);
    root.addEventListener("cxp-imported", function () { externalIds.load(); });
    new JoinCode(root.querySelector("[data-cxp-join-code]"), client, config.joinCode);
  }

  function startAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-cxp-root]"), start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
}());
