#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/icinga.sh - contrib/icinga2/mailcheck.conf validates with the
# real icinga2 (daemon -C) in a minimal config that uses every variable;
# a broken copy must not validate
. "$(dirname "$0")/lib.sh"

if ! command -v icinga2 > /dev/null 2>&1; then
  fail "icinga2" "not installed: run scripts/deps"
  finish
  exit 1
fi
CONF="$MC_SOURCE_DIR/contrib/icinga2/mailcheck.conf"
I="$E2E_WORK/icinga"
mkdir -p "$I"
chmod 755 "$E2E_WORK" "$I"

write_config() {
  cat > "$I/icinga2.conf" <<ICINGA
const PluginDir = "/usr/lib/nagios/plugins"
const PluginContribDir = "/usr/lib/nagios/plugins"
const ManubulonPluginDir = "/usr/lib/nagios/plugins"
const NodeName = "localhost"
include "$1"

object Host "example.org" {
  check_command = "mailcheck"
  vars.mailcheck_timeout = 20
}

object Service "mail-health" {
  host_name = "example.org"
  check_command = "mailcheck"
  vars.mailcheck_resolver = [ "127.0.0.1:5300", "[::1]:5300" ]
  vars.mailcheck_checks = [ "mx" ]
  vars.mailcheck_dkim_selector = [ "mail", "s2024" ]
  vars.mailcheck_bimi_selector = [ "brand" ]
  vars.mailcheck_ip = [ "192.0.2.25" ]
  vars.mailcheck_dnsbl_zone = [ "zen.example" ]
  vars.mailcheck_dnsbl_config = "/etc/mailcheck/dnsbl.conf"
  vars.mailcheck_warning = [ "spf_lookups=8" ]
  vars.mailcheck_critical = [ "spf_lookups=10", "dnsbl_listed=0" ]
  vars.mailcheck_verbose = true
}

object Service "mail-offline" {
  host_name = "example.org"
  check_command = "mailcheck"
  vars.mailcheck_domain = "example.net"
  vars.mailcheck_zone_file = [ "/srv/zones/example.net.zone" ]
  vars.mailcheck_checks = "mx"
}
ICINGA
}

validate() {
  icinga2 daemon -C -c "$I/icinga2.conf" > "$I/out" 2>&1
}

write_config "$CONF"
if validate && grep -q "Finished validating the configuration file" "$I/out"; then
  pass "mailcheck.conf validates"
else
  fail "mailcheck.conf validates" "$(cat "$I/out")"
fi

# the validation can fail: a broken copy is rejected
sed 's/repeat_key = true/repeat_key = true +/' "$CONF" > "$I/broken.conf"
write_config "$I/broken.conf"
if validate; then
  fail "a broken copy is rejected" "icinga2 accepted it"
elif grep -q "syntax error" "$I/out"; then
  pass "a broken copy is rejected"
else
  fail "a broken copy is rejected" "for another reason: $(cat "$I/out")"
fi
finish
