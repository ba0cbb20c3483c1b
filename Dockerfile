# Multi-stage build of the one junheng binary; the same image runs migrate, api and worker.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The tag temporalui builds in the operators' view (Temporal's Web UI at /admin/temporal/, about 114 MiB).
RUN CGO_ENABLED=0 go build -tags temporalui -trimpath -ldflags "-s -w" -o /out/junheng ./cmd/junheng && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/junheng /usr/local/bin/junheng
# A new volume takes the ownership of the image's directory: make it the unprivileged user's.
COPY --from=build --chown=65532:65532 /out/data /data
USER nonroot:nonroot
ENV JUNHENG_DATA_DIR=/data JUNHENG_LOG_FORMAT=json
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/junheng"]
CMD ["serve"]
