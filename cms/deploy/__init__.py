"""What runs beside the app in production: the proxy's configuration
(nginx.conf.template), uvicorn's JSON log configuration, and `serve.py`, which
prepares `make serve` (and the production-stack test) to run the Procfile
behind a real nginx."""
