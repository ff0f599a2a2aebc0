# Sourced by every install script: drops what an outer `npm run`/`npm test` exports, so nested installs see the
# machine as a shell user would. npm sets npm_config_* (read back as configuration by any npm below, e.g.
# npm_config_user_agent naming the outer Node version, which code-server's postinstall checks), npm_lifecycle_*,
# npm_package_*, npm_node_execpath, npm_execpath, NODE, INIT_CWD, and prepends node_modules/.bin and
# node-gyp-bin directories to PATH. Pip and Go read no npm variables, but PIP_*/GOFLAGS that a caller set on purpose
# are kept.
for _v in $(compgen -e); do
  case "$_v" in
    npm_*|NPM_CONFIG_*|NODE|INIT_CWD|COLOR|EDITOR_NPM) unset "$_v" ;;
  esac
done
unset _v
_clean_path=
IFS=: read -r -a _parts <<<"${PATH:-}"
for _p in "${_parts[@]}"; do
  case "$_p" in
    */node_modules/.bin|*/node-gyp-bin|*/npm/bin/node-gyp-bin|"") continue ;;
  esac
  case ":$_clean_path:" in *":$_p:"*) continue ;; esac
  _clean_path=${_clean_path:+$_clean_path:}$_p
done
export PATH=$_clean_path
unset _clean_path _parts _p
