#!/usr/bin/env bash
# Submit a job to a Spark standalone cluster (client mode: the driver runs here, its progress
# lines on this terminal).
#
#   SPARK_MASTER_URL=spark://master:7077 SPARK_AUTH_SECRET_FILE=~/.spark-secret deploy/standalone/submit.sh preprocess --input DIR --output DIR
#   SPARK_MASTER_URL=spark://master:7077 SPARK_AUTH_SECRET_FILE=~/.spark-secret deploy/standalone/submit.sh train --data DIR --output DIR [--set k=v ...]
#   SPARK_MASTER_URL=spark://master:7077 SPARK_AUTH_SECRET_FILE=~/.spark-secret deploy/standalone/submit.sh predict --model DIR --input PATH --output DIR [--features]
#
# Environment: SPARK_HOME (Spark 3.5, Scala 2.12), SPARK_MASTER_URL, ALEXNET_JAR (the shaded jar),
# ALEXNET_PROPERTIES (spark-defaults file, default deploy/conf/spark-defaults-cpu.conf),
# SPARK_AUTH_SECRET_FILE (the cluster's shared secret, a file only you can read: chmod 600) or
# SPARK_AUTH_SECRET (the secret itself), EXTRA_SPARK_ARGS (more spark-submit options, e.g. --conf k=v).
# Paths must be visible to every executor: a shared filesystem, hdfs:// or s3a://.
set -euo pipefail

usage() {   # the comment at the top
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
  exit "${1:-2}"
}
case "${1:-}" in -h|--help|help) usage 0 ;; esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
: "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 (Scala 2.12) installation}"
: "${SPARK_MASTER_URL:?set SPARK_MASTER_URL, e.g. spark://master:7077}"
submit="${SPARK_SUBMIT:-$SPARK_HOME/bin/spark-submit}"
jar="${ALEXNET_JAR:-$root/spark-job/target/alexnet-spark-job-0.1.0-SNAPSHOT-shaded.jar}"
props="${ALEXNET_PROPERTIES:-$root/deploy/conf/spark-defaults-cpu.conf}"

[ $# -ge 1 ] || usage 2 >&2
job="$1"; shift
case "$job" in
  preprocess) class=PreprocessImageNet ;;
  train)      class=TrainAlexNet ;;
  predict)    class=PredictAlexNet ;;
  *) echo "submit.sh: unknown job '$job' (preprocess | train | predict)" >&2; exit 2 ;;
esac
[ -r "$props" ] || { echo "submit.sh: cannot read the properties file $props (ALEXNET_PROPERTIES)" >&2; exit 2; }

# The shared secret reaches spark-submit inside a properties file only this user can read (the
# template plus spark.authenticate.secret), never as an argument: every user sees arguments in ps.
secret="$("$here/read-secret.sh")"
if [ -z "$secret" ] && grep -Eq '^[[:space:]]*spark\.authenticate[[:space:]=:]+true[[:space:]]*$' "$props"; then
  echo "submit.sh: $props turns spark.authenticate on: set SPARK_AUTH_SECRET_FILE (or SPARK_AUTH_SECRET) to the" \
    "cluster's shared secret" >&2
  exit 2
fi
private="$(mktemp -d "${TMPDIR:-/tmp}/alexnet-submit.XXXXXX")" # mode 700
trap 'rm -rf "$private"' EXIT
(
  umask 077
  {
    cat "$props"
    if [ -n "$secret" ]; then
      printf '\nspark.authenticate true\nspark.authenticate.secret %s\n' "${secret//\\/\\\\}"
    fi
  } > "$private/spark-defaults.conf"
)
read -r -a extra <<< "${EXTRA_SPARK_ARGS:-}"

"$submit" \
  --master "$SPARK_MASTER_URL" \
  --deploy-mode client \
  --name "alexnet-$job" \
  --properties-file "$private/spark-defaults.conf" \
  --driver-java-options "-Dlog4j2.configurationFile=file:$root/conf/log4j2.properties -Dorg.bytedeco.javacpp.maxbytes=6G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G -Dorg.bytedeco.javacpp.platform.extension=-onednn -Djdk.serialFilter=maxdepth=200;!org.apache.commons.collections.functors.*;!org.apache.commons.collections4.functors.*;!org.apache.commons.beanutils.BeanComparator;!org.codehaus.groovy.runtime.*;!com.sun.org.apache.xalan.internal.xsltc.trax.*;!org.apache.xalan.xsltc.trax.*;!com.sun.rowset.*;!com.sun.jndi.*;!javax.management.BadAttributeValueExpException;!java.rmi.server.UnicastRemoteObject;!java.rmi.server.RemoteObjectInvocationHandler;!sun.rmi.server.*;!com.mchange.v2.c3p0.*;!org.springframework.beans.factory.*;!org.hibernate.*;!bsh.*;!clojure.*;!org.python.core.*;!org.mozilla.javascript.*;!net.sf.json.*" \
  ${extra[@]+"${extra[@]}"} \
  --class "$class" \
  "$jar" "$@"
