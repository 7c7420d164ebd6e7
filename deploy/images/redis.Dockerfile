# Stand-in for redis:7.2-alpine from Debian's packages (bin/images). The compose file gives the command.
ARG SB_BASE_IMAGE
FROM ${SB_BASE_IMAGE}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server > /dev/null \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /data
WORKDIR /data
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "yes"]
