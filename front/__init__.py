"""The top layer: the pages and reads that combine the apps below — the home page per role, the
strategy browser, the open-data API, the loader of the whole strategy document (it writes kpis,
projects, population and revisions) and the navigation's current strategy. Nothing imports front
except nemuro_strategy/urls.py and settings (docs/architecture.md, "Layers")."""
