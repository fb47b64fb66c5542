// Shell completion: every shell asks the binary itself (`--get-yargs-completions`, answered by
// yargs from the command tree), so completions never drift from the commands that exist.
// kubectl (1.26+) completes plugins through an executable named kubectl_complete-netobs on PATH;
// the scripts below cover the direct `kubectl-netobs` name.
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const BIN = 'kubectl-netobs';

export function completionScript(shell: Shell): string {
  switch (shell) {
    case 'bash':
      return `# bash completion for ${BIN}
_${fn()}_completions() {
  local cur args
  cur="\${COMP_WORDS[COMP_CWORD]}"
  args=("\${COMP_WORDS[@]:1:COMP_CWORD}")
  local IFS=$'\\n'
  COMPREPLY=($(compgen -W "$(${BIN} --get-yargs-completions "\${args[@]}" 2>/dev/null)" -- "$cur"))
}
complete -o default -F _${fn()}_completions ${BIN}
`;
    case 'zsh':
      return `#compdef ${BIN}
# zsh completion for ${BIN}
_${fn()}() {
  local -a reply
  reply=("\${(@f)$(${BIN} --get-yargs-completions "\${words[@]:1}" 2>/dev/null)}")
  _describe 'values' reply
}
compdef _${fn()} ${BIN}
`;
    case 'fish':
      return `# fish completion for ${BIN}
function __${fn()}_complete
    set -l tokens (commandline -opc) (commandline -ct)
    set -e tokens[1]
    ${BIN} --get-yargs-completions $tokens 2>/dev/null
end
complete -c ${BIN} -f -a '(__${fn()}_complete)'
`;
  }
}

function fn(): string {
  return BIN.replace(/-/g, '_');
}
