// Starts Swagger UI on /docs from the app's own OpenAPI document (no inline script, no CDN).
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
