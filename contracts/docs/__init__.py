"""The partner docs site, generated from ``contracts/`` and ``features/``.

    python -m contracts.docs build [--results DIR ...] [--out site/]
    python -m contracts.docs serve [--results DIR ...] [--port 8000]

Pages: behaviours (features/), the gRPC reference (descriptors), events (an AsyncAPI 3.0 document
with an example per event type), REST (OpenAPI 3.1 in Swagger UI), errors, per-target
conformance (results bundles) and the proto changes since the compatibility baseline. The site is
static and self-contained: no CDN, fonts or scripts from elsewhere.
"""
