# Stand-in for eclipse-temurin:25-jre (bin/images): Debian's minimal base and a runtime jlinked from
# the host's JDK with only the modules Switchboard uses (jdeps), plus its CDS archive.
ARG SB_BASE_IMAGE
FROM ${SB_BASE_IMAGE}
COPY jre /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
