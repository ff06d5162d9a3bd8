// roundtable: the operator's and lead agent's CLI. See `roundtable --help`.
#include "roundtable/cli/cli.hpp"

int main(int argc, char** argv, char** envp) { return rt::cli::run(argc, argv, envp); }
