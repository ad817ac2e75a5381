# cxkit as an Airbyte source: upload to Airbyte as a custom connector (Settings > Sources >
# New connector > Add a new Docker connector) after `docker build -t cxkit/source-cxkit:0.1.0 .`
# Not built in CI (the CI machine reaches package registries only); see README "Load into a
# warehouse".
FROM rust:1.88-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p cxkit-cli --bin cxkit

FROM debian:bookworm-slim
# The vendors are reached over TLS, verified against the system's roots.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/cxkit /usr/local/bin/cxkit
COPY docker/source-cxkit /usr/local/bin/source-cxkit
ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/source-cxkit"
ENTRYPOINT ["/usr/local/bin/source-cxkit"]
LABEL io.airbyte.name=cxkit/source-cxkit
LABEL io.airbyte.version=0.1.0
