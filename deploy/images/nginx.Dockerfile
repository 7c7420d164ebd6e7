# Stand-in for nginx:1.27 from Debian's packages (bin/images). The compose file gives the command.
ARG SB_BASE_IMAGE
FROM ${SB_BASE_IMAGE}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx > /dev/null \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/*
CMD ["nginx", "-g", "daemon off;"]
