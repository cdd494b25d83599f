#!/bin/sh
# Runs the lb-manager agent, which starts and supervises Nginx (see `java -jar lb-manager.jar agent --help`).
exec java ${JAVA_OPTS:--Xmx96m -XX:+UseSerialGC} -jar /opt/lb-manager/lb-manager.jar agent "$@"
