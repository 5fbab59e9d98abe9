#!/usr/bin/env bash
# Prints the standalone cluster's shared secret (spark.authenticate) on stdout: the first line of
# SPARK_AUTH_SECRET_FILE, a file only its owner may read (chmod 600), or else SPARK_AUTH_SECRET;
# nothing when neither is set. Used by submit.sh (the driver) and spark-env.sh (master, workers).
#
#   head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > ~/.spark-secret && chmod 600 ~/.spark-secret
set -euo pipefail

if [ -n "${SPARK_AUTH_SECRET_FILE:-}" ]; then
  file="$SPARK_AUTH_SECRET_FILE"
  if [ ! -f "$file" ] || [ ! -r "$file" ]; then
    echo "read-secret.sh: cannot read SPARK_AUTH_SECRET_FILE $file" >&2
    exit 2
  fi
  mode="$(stat -c '%a' "$file")"
  case "$mode" in
    [4-7]00) ;;
    *) echo "read-secret.sh: $file has mode $mode: a secret file must be readable by its owner only (chmod 600 $file)" >&2
       exit 2 ;;
  esac
  secret="$(head -n 1 "$file")"
  if [ -z "$secret" ]; then
    echo "read-secret.sh: $file is empty" >&2
    exit 2
  fi
  printf '%s' "$secret"
elif [ -n "${SPARK_AUTH_SECRET:-}" ]; then
  printf '%s' "$SPARK_AUTH_SECRET"
fi
