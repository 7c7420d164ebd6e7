# Stand-in for maven:3.9-eclipse-temurin-25 (bin/images): Debian's minimal base, the host's JDK and
# Maven, and a copy of the host's local Maven repository, so the build stage starts with the
# dependencies it would otherwise download from Maven Central again.
ARG SB_BASE_IMAGE
FROM ${SB_BASE_IMAGE}
COPY jdk /opt/java/openjdk
COPY maven /usr/share/maven
COPY m2 /root/.m2
ENV JAVA_HOME=/opt/java/openjdk MAVEN_HOME=/usr/share/maven \
    PATH=/opt/java/openjdk/bin:/usr/share/maven/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
