// Loaded from base.html as <script type="module">. GOV.UK Frontend v6 is an
// ES module only; its components start only when <body> has the
// "govuk-frontend-supported" class (set by the inline snippet in base.html).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();

// MOJ Frontend (sortable table, button menu, …): its JS only. Loaded on its
// own so a failure there never stops the GOV.UK components above.
if (document.querySelector('[data-module^="moj-"]')) {
  import("/static/vendor/moj-frontend.min.js")
    .then((moj) => moj.initAll())
    .catch((error) => console.error("MOJ Frontend failed to start", error));
}
