#!/usr/bin/env bash
# spark-env.sh for the master and workers of a standalone cluster, secured: every connection
# authenticated with the cluster's shared secret, RPC encrypted, UIs without kill links. Spark's
# sbin/start-master.sh, sbin/start-worker.sh and bin/spark-class source $SPARK_CONF_DIR/spark-env.sh:
# copy this file and read-secret.sh there (or source this one from yours) on every node, and give
# the daemons the secret as the driver gets it (submit.sh), in the environment, never on a command line:
#
#   SPARK_AUTH_SECRET_FILE=~/.spark-secret $SPARK_HOME/sbin/start-master.sh
#   SPARK_AUTH_SECRET_FILE=~/.spark-secret $SPARK_HOME/sbin/start-worker.sh spark://master:7077
#
# The daemons read the secret from _SPARK_AUTH_SECRET (Spark's variable; standalone daemons accept
# no secret file) and hand it to the executors they start the same way.

alexnet_conf_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "${_SPARK_AUTH_SECRET:-}" ]; then
  _SPARK_AUTH_SECRET="$("$alexnet_conf_dir/read-secret.sh")" || exit 2
fi
if [ -z "$_SPARK_AUTH_SECRET" ]; then
  echo "spark-env.sh: this cluster runs with spark.authenticate: set SPARK_AUTH_SECRET_FILE (or SPARK_AUTH_SECRET)" >&2
  exit 2
fi
export _SPARK_AUTH_SECRET
alexnet_security="-Dspark.authenticate=true -Dspark.network.crypto.enabled=true -Dspark.ui.killEnabled=false"
export SPARK_MASTER_OPTS="${SPARK_MASTER_OPTS:-} $alexnet_security"
export SPARK_WORKER_OPTS="${SPARK_WORKER_OPTS:-} $alexnet_security"
