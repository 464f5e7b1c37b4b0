/* The kgraph command's main(), compiled into a fuzz target under the name
 * kgraph_cli_main (engine/cli/main.c built with -Dmain=kgraph_cli_main;
 * this header is force-included there so that the renamed function has a
 * prototype). */
#ifndef KG_CLI_MAIN_H
#define KG_CLI_MAIN_H

int kgraph_cli_main(int argc, char **argv);

#endif
