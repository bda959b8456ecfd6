# syntax=docker/dockerfile:1
# Build stage: a static binary with templates, assets, migrations and
# configs embedded.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ipmediate ./cmd/ipmediate

# Run stage: a minimal image with CA certificates and time zone data
# (deadlines are counted in Beijing time), running as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /var/lib/ipmediate ipmediate \
    && mkdir -p /var/lib/ipmediate/files && chown -R ipmediate /var/lib/ipmediate
COPY --from=build /out/ipmediate /usr/local/bin/ipmediate
COPY configs /etc/ipmediate
USER ipmediate
WORKDIR /var/lib/ipmediate
ENV IPM_HTTP_ADDR=0.0.0.0:8080 IPM_STORAGE_DIR=/var/lib/ipmediate/files
EXPOSE 8080
ENTRYPOINT ["ipmediate"]
CMD ["serve"]
