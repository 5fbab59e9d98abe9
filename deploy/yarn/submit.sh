#!/usr/bin/env bash
# Submit a job to YARN in cluster mode: the driver runs in the application master's container;
# follow it with `yarn logs -applicationId ID` or the ResourceManager UI.
#
#   deploy/yarn/submit.sh preprocess --input hdfs:///raw/imagenet --output hdfs:///datasets/alexnet-256
#   deploy/yarn/submit.sh train --data hdfs:///datasets/alexnet-256 --output hdfs:///runs/alexnet-1
#   deploy/yarn/submit.sh predict --model hdfs:///runs/alexnet-1 --input hdfs:///photos --output hdfs:///predictions
#
# Environment: SPARK_HOME (Spark 3.5, Scala 2.12), HADOOP_CONF_DIR or YARN_CONF_DIR, ALEXNET_JAR,
# ALEXNET_PROPERTIES (default deploy/conf/spark-defaults-cpu.conf; -gpu.conf on GPU nodes with
# YARN's GPU scheduling), EXECUTORS (default 2: the training job's train.workers), YARN_QUEUE,
# EXTRA_SPARK_ARGS. Security comes from the template (authentication, RPC and local-disk
# encryption, no UI kill, ACLs); YARN generates the spark.authenticate secret per application.
set -euo pipefail

usage() {   # the comment at the top
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
  exit "${1:-2}"
}
case "${1:-}" in -h|--help|help) usage 0 ;; esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
: "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 (Scala 2.12) installation}"
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
read -r -a extra <<< "${EXTRA_SPARK_ARGS:-}"

# log4j2.properties travels with the job (--files) and is found in the container's working directory.
exec "$submit" \
  --master yarn \
  --deploy-mode cluster \
  --name "alexnet-$job" \
  --queue "${YARN_QUEUE:-default}" \
  --num-executors "${EXECUTORS:-2}" \
  --properties-file "$props" \
  --conf spark.authenticate=true \
  --conf spark.yarn.maxAppAttempts=1 \
  --files "$root/conf/log4j2.properties" \
  --conf spark.driver.extraJavaOptions="-Dlog4j2.configurationFile=log4j2.properties -Dorg.bytedeco.javacpp.maxbytes=6G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G -Dorg.bytedeco.javacpp.platform.extension=-onednn -Djdk.serialFilter=maxdepth=200;!org.apache.commons.collections.functors.*;!org.apache.commons.collections4.functors.*;!org.apache.commons.beanutils.BeanComparator;!org.codehaus.groovy.runtime.*;!com.sun.org.apache.xalan.internal.xsltc.trax.*;!org.apache.xalan.xsltc.trax.*;!com.sun.rowset.*;!com.sun.jndi.*;!javax.management.BadAttributeValueExpException;!java.rmi.server.UnicastRemoteObject;!java.rmi.server.RemoteObjectInvocationHandler;!sun.rmi.server.*;!com.mchange.v2.c3p0.*;!org.springframework.beans.factory.*;!org.hibernate.*;!bsh.*;!clojure.*;!org.python.core.*;!org.mozilla.javascript.*;!net.sf.json.*" \
  ${extra[@]+"${extra[@]}"} \
  --class "$class" \
  "$jar" "$@"
