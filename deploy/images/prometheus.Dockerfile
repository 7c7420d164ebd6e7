# Stand-in for prom/prometheus from Debian's package (bin/images); the compose file gives the flags.
ARG SB_BASE_IMAGE
FROM ${SB_BASE_IMAGE}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus > /dev/null \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /prometheus
# /bin is /usr/bin (merged /usr), so /bin/prometheus is where prom/prometheus has it too
ENTRYPOINT ["/bin/prometheus"]
