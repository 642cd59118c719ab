# Portcullis in a container: built from this checkout, run as a non-root user on a distroless
# base (glibc and nothing else: no shell, no package manager). See docs/deploy.md.
#
#   docker build -t portcullis .
#   docker run -p 8080:8080 -e PORTCULLIS_ISSUER=https://id.example.com \
#     -e PORTCULLIS_MASTER_KEY_FILE=/run/secrets/master_key -v portcullis:/var/lib/portcullis portcullis

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p portcullis \
 && install -D -m 0755 target/release/portcullis /out/usr/local/bin/portcullis \
 && install -d -o 65532 -g 65532 -m 0700 /out/var/lib/portcullis

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/ /
USER 65532:65532
# SQLite by default (one node); set PORTCULLIS_DATABASE_URL to postgres://… for several.
ENV PORTCULLIS_LISTEN=0.0.0.0:8080 \
    PORTCULLIS_DATABASE_URL=sqlite:///var/lib/portcullis/portcullis.db
VOLUME ["/var/lib/portcullis"]
EXPOSE 8080
# No curl in the image: the binary asks its own /readyz.
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 \
  CMD ["/usr/local/bin/portcullis", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/portcullis"]
CMD ["serve"]
