// commander requires node:child_process for executable subcommands, which meshctl does not use;
// loading it (and dgram, net with it) costs every start. The build gives commander this stub instead.
function unavailable() {
  throw new Error('meshctl: executable subcommands are not supported');
}
module.exports = { spawn: unavailable, execFileSync: unavailable };
