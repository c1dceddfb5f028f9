# Stand-in for python:3.x-slim where no registry can be reached (CI).
# Built FROM a debootstrapped Debian imported as localbase:bookworm; the build
# context holds the host's extra CA certificates (ca/*.crt) so that pip and
# apt inside later builds can go through a TLS-intercepting proxy.
FROM localbase:bookworm

ENV DEBIAN_FRONTEND=noninteractive
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      python3 python3-pip python3-venv python-is-python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED

COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates

# pip in a venv may carry its own certifi bundle: point it at the system
# store, which now trusts the proxy's CA too.
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
