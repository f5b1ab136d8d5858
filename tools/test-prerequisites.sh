# Sourced by ./connguard test: makes sure the tools the test suite runs for real are on this machine.
# What is missing is installed with apt-get when this user can (root, or sudo without a password); otherwise the
# exact packages are named and the tests do not start, since they would fail half an hour later for the same reason.

# tool to look for | Debian/Ubuntu package that provides it | why the tests need it
test_prerequisites=(
    "initdb|postgresql|throwaway PostgreSQL clusters (found through PG_BIN or /usr/lib/postgresql/*/bin)"
    "pgbouncer|pgbouncer|the pooler the detector watches and the mitigator resizes"
    "chromium|chromium|the audit web page is tested in a real headless browser"
    "promtool|prometheus|the shipped alert rules are checked and unit-tested"
)

has_tool() {
    case "$1" in
        initdb) [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ] || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null ;;
        *) command -v "$1" >/dev/null ;;
    esac
}

# prints "sudo" or "" when packages can be installed, fails when they cannot
package_installer() {
    command -v apt-get >/dev/null || return 1
    if [ "$(id -u)" = 0 ]; then
        echo ""
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        echo "sudo"
    else
        return 1
    fi
}

ensure_test_prerequisites() {
    local entry tool package why missing=() reasons=()
    for entry in "${test_prerequisites[@]}"; do
        IFS='|' read -r tool package why <<<"$entry"
        if ! has_tool "$tool"; then
            missing+=("$package")
            reasons+=("  $package: $why")
        fi
    done
    if ((${#missing[@]})); then
        local sudo
        if sudo=$(package_installer); then
            echo "connguard: installing ${missing[*]} (apt-get) ..."
            $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
            # the packages' own services must not start: the tests run their own servers
            $sudo sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
            $sudo env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
            $sudo rm -f /usr/sbin/policy-rc.d
        elif [ "${missing[*]}" = postgresql ]; then
            # local-infra unpacks the zonky embedded-postgres-binaries jar instead (slower, no pgbouncer needed)
            echo "connguard: no PostgreSQL server binaries; the tests will use the zonky embedded binaries" >&2
        else
            {
                echo "connguard: the tests need packages this user cannot install:"
                printf '%s\n' "${reasons[@]}"
                echo "Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run ./connguard test again."
            } >&2
            return 2
        fi
    fi
    # kubectl builds the kustomize overlays; Debian's kubernetes-client is too old for the kustomize features used
    if ! command -v kubectl >/dev/null; then
        {
            echo "connguard: the tests need kubectl 1.27 or newer (with its built-in kustomize) on the PATH:"
            echo "  https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/"
        } >&2
        return 2
    fi
}
