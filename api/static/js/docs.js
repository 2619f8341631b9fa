// Swagger UI for /docs, from the vendored swagger-ui-dist (no CDN, no validator badge).
(function () {
  "use strict";
  var holder = document.getElementById("swagger-ui");
  if (!holder || !window.SwaggerUIBundle) return;
  window.ui = window.SwaggerUIBundle({
    url: holder.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
