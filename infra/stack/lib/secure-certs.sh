# shellcheck shell=bash
# Certificates and passwords of the secured local stack (infra/stack/secure.sh), made with openssl.
# Nothing here is secret beyond this machine: a throw-away CA signs the servers' certificate and a
# client certificate; a second, unrelated CA (and a client certificate it signed) is there for
# tests that expect an untrusted certificate to be refused.
#
# <state>/certs/ (PEM; keys are PKCS#8, unencrypted, mode 600):
#   ca.pem ca.key                       the stack's CA (every server trusts it, every client should)
#   server.pem server.key               CN=localhost, SANs localhost and 127.0.0.1, signed by ca
#   server-keystore.pem                 server.key + server.pem: Kafka's PEM keystore
#   client.pem client.key               CN=denyscope, clientAuth, signed by ca (mTLS)
#   untrusted-ca.pem untrusted-ca.key   a second CA nobody trusts
#   untrusted-client.pem .key           CN=denyscope, signed by the untrusted CA
# <state>/secrets.env (mode 600): passwords, random, made once per state directory.

SECURE_CERTS="$SECURE_DIR/certs"
SECURE_SECRETS="$SECURE_DIR/secrets.env"
SECURE_CERT_FILES=(ca.pem ca.key server.pem server.key server-keystore.pem client.pem client.key
  untrusted-ca.pem untrusted-ca.key untrusted-client.pem untrusted-client.key)
SECURE_SECRET_NAMES=(KAFKA_ADMIN_PASSWORD KAFKA_DENYSCOPE_PASSWORD CLICKHOUSE_DENYSCOPE_PASSWORD
  CLICKHOUSE_DEFAULT_PASSWORD REDIS_DEFAULT_PASSWORD REDIS_DENYSCOPE_PASSWORD)
# Only secrets.env sets them: never a variable of the same name inherited from the environment.
for _name in "${SECURE_SECRET_NAMES[@]}"; do printf -v "$_name" '%s' ''; done
unset _name

certs_present() {
  local f
  for f in "${SECURE_CERT_FILES[@]}"; do [[ -s "$SECURE_CERTS/$f" ]] || return 1; done
}

# certs_new_ca DIR NAME CN: a self-signed CA, valid 10 years.
certs_new_ca() {
  openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout "$1/$2.key" -out "$1/$2.pem" -subj "/O=denyscope test stack/CN=$3" \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'
}

# certs_new_leaf DIR NAME CA CN EXTENSIONS: a key and a certificate signed by CA (2 years).
certs_new_leaf() {
  local dir=$1 name=$2 ca=$3 cn=$4 ext=$5
  openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$dir/$name.key" \
    -out "$dir/$name.csr" -subj "/O=denyscope test stack/CN=$cn"
  printf '%s\n' "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "$ext" >"$dir/$name.ext"
  openssl x509 -req -sha256 -days 730 -in "$dir/$name.csr" -CA "$dir/$ca.pem" \
    -CAkey "$dir/$ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -extfile "$dir/$name.ext" -out "$dir/$name.pem"
  rm -f "$dir/$name.csr" "$dir/$name.ext"
}

# certs_ensure: make the certificates unless all of them exist. They are made together (in a
# new directory, moved into place at the end) so that a half-made set is never used.
certs_ensure() {
  certs_present && return 0
  have openssl || die certs "openssl not found (apt-get install -y openssl)"
  secure_any_running &&
    die certs "$SECURE_CERTS is incomplete while secure-stack processes run; run 'secure.sh down' first"
  local tmp="$SECURE_DIR/certs.new" log="$SECURE_LOGS/openssl.log"
  info certs "making a CA, server and client certificates in $SECURE_CERTS (log: $log)"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  chmod 700 "$tmp"
  if ! (
    set -e
    certs_new_ca "$tmp" ca 'denyscope test CA'
    certs_new_leaf "$tmp" server ca localhost \
      $'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth'
    certs_new_leaf "$tmp" client ca denyscope 'extendedKeyUsage=clientAuth'
    certs_new_ca "$tmp" untrusted-ca 'untrusted test CA'
    certs_new_leaf "$tmp" untrusted-client untrusted-ca denyscope 'extendedKeyUsage=clientAuth'
    # Kafka's PEM keystore: the private key, then the certificate chain.
    cat "$tmp/server.key" "$tmp/server.pem" >"$tmp/server-keystore.pem"
    chmod 600 "$tmp"/*.key "$tmp/server-keystore.pem"
    chmod 644 "$tmp"/*.pem
    openssl verify -CAfile "$tmp/ca.pem" "$tmp/server.pem" "$tmp/client.pem"
  ) >>"$log" 2>&1; then
    show_log_tail "$log"
    die certs "openssl failed to make the certificates; see $log"
  fi
  rm -rf "$SECURE_CERTS"
  mv "$tmp" "$SECURE_CERTS"
}

# secrets_ensure: create secrets.env (one random password per name) unless it has them all,
# then load it. Hex passwords: safe in URLs, JAAS files, XML and command lines without quoting.
secrets_ensure() {
  local name missing=0
  if [[ -f "$SECURE_SECRETS" ]]; then
    for name in "${SECURE_SECRET_NAMES[@]}"; do
      grep -q "^$name=[0-9a-f]\{32\}\$" "$SECURE_SECRETS" || missing=1
    done
  else
    missing=1
  fi
  if ((missing)); then
    have openssl || die secrets "openssl not found (apt-get install -y openssl)"
    secure_any_running &&
      die secrets "$SECURE_SECRETS is incomplete while secure-stack processes run; run 'secure.sh down' first"
    info secrets "generating passwords into $SECURE_SECRETS"
    (
      umask 077
      for name in "${SECURE_SECRET_NAMES[@]}"; do
        printf '%s=%s\n' "$name" "$(openssl rand -hex 16)"
      done >"$SECURE_SECRETS.tmp"
    )
    mv -f "$SECURE_SECRETS.tmp" "$SECURE_SECRETS"
  fi
  chmod 600 "$SECURE_SECRETS"
  # shellcheck disable=SC1090 # generated above
  source "$SECURE_SECRETS"
}

# secrets_sha: fingerprint of the passwords, kept next to the data made with them (Kafka's SCRAM
# users live in its formatted storage): new passwords mean that storage must be made again.
secrets_sha() { sha256sum "$SECURE_SECRETS" | cut -d' ' -f1; }
