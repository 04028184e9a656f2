/*
 * wsdl_cli: the `soapload wsdl` subcommand.
 */
#ifndef SOAPLOAD_WSDL_CLI_H
#define SOAPLOAD_WSDL_CLI_H

/** `soapload wsdl URL-or-FILE [-o script.lua] [--id-element NAME] [--soap 1.1|1.2]
 * [--port NAME] [--url URL] [--root DIR] [--catalog FILE] [--offline] [--fail-on-warning]`
 * (argv[0] is "wsdl"). Returns the process's exit code: 0 (warnings on stderr), 1 with
 * warnings under --fail-on-warning, or 2 with a message on stderr. */
int sl_wsdl_main(int argc, char **argv);

#endif
