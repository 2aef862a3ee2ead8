# EGCA Engine service (egca.v1.Engine on port 50051). It runs no untrusted code:
# the runtimes do, in their own containers (set EGCA_RUNTIME_<LANG>=host:port,...).
# Build context: the repository root, after the wheelhouse is made
# (`egca runtimes build` does both; by hand: see docs/DEPLOY.md).
FROM docker.io/library/debian:bookworm-slim

# Same first layer as the Python and C runtimes (shared in the build cache).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 bubblewrap \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin egca

COPY build/wheels /tmp/wheels
RUN python3 -m venv --without-pip /opt/egca \
 && /opt/egca/bin/python "$(echo /tmp/wheels/pip-*.whl)/pip" install --no-cache-dir --no-index --find-links /tmp/wheels \
        --no-compile -q egca egca-python egca-javascript egca-c egca-cpp egca-java \
 && /opt/egca/bin/python -m compileall -q /opt/egca/lib \
 && rm -rf /tmp/wheels

ENV PATH=/opt/egca/bin:/usr/local/bin:/usr/bin:/bin PYTHONDONTWRITEBYTECODE=1 GRPC_VERBOSITY=ERROR \
    EGCA_RUNTIME_PYTHON=dns:///runtime-python:50061 \
    EGCA_RUNTIME_JAVASCRIPT=dns:///runtime-javascript:50062 \
    EGCA_RUNTIME_C=dns:///runtime-c:50063 \
    EGCA_RUNTIME_CPP=dns:///runtime-cpp:50064 \
    EGCA_RUNTIME_JAVA=dns:///runtime-java:50065
USER 10001:10001
EXPOSE 50051
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-m", "egca_kit.healthcheck", "127.0.0.1:50051"]
ENTRYPOINT ["egca", "serve", "--host", "0.0.0.0", "--port", "50051"]
