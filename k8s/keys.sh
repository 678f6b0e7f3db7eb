#!/usr/bin/env bash
# Loads the suite's keys into a namespace as the Secrets and ConfigMaps the manifests mount,
# from a directory laid out as `just certs` makes certs/dev/ (for production: the keys each
# register generated and the certificates the CA issued, in the same layout):
#   <register>-key.pem, <register>.pem   seal keys (certificates, deposits, gaccounts, housing, lookup)
#   ca.pem, trust-list.jws                the trust anchor and the signed trust list
#   events/<service>-key.pem, events/public-keys.json   event signing keys
#
#   k8s/keys.sh <namespace> <keys directory>
# Applying again replaces them (a rotation); the pods read them at their next start.
set -euo pipefail
ns=$1
dir=$2
apply() { kubectl -n "$ns" apply -f -; }

for register in certificates deposits gaccounts housing lookup; do
    kubectl -n "$ns" create secret generic "zegel-seal-$register" --dry-run=client -o yaml \
        --from-file=key.pem="$dir/$register-key.pem" --from-file=cert.pem="$dir/$register.pem" | apply
done
for service in certificates lookup bans deposits gaccounts housing notifier workbench; do
    kubectl -n "$ns" create secret generic "zegel-event-key-$service" --dry-run=client -o yaml \
        --from-file=key.pem="$dir/events/$service-key.pem" | apply
done
kubectl -n "$ns" create configmap zegel-event-keys --dry-run=client -o yaml \
    --from-file=public-keys.json="$dir/events/public-keys.json" | apply
kubectl -n "$ns" create configmap zegel-trust-list --dry-run=client -o yaml \
    --from-file=trust-list.jws="$dir/trust-list.jws" --from-file=ca.pem="$dir/ca.pem" | apply
