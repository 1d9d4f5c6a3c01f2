/* SPDX-License-Identifier: MIT */
/*
 * cp/vmrv.h - the subcommands of the one executable, vmrv.  cp/vmrv.c
 * dispatches on argv[1]; each subsystem provides its main here.  Each
 * returns the process exit status.
 */
#ifndef CP_VMRV_H
#define CP_VMRV_H

int vmrv_run_main(int argc, char **argv); /* cp/run.c: vmrv run */
int vmrv_ipl_main(int argc, char **argv); /* cp/ipl.c: vmrv ipl */
int vmrv_directory_main(int argc, char **argv); /* cp/dir_cli.c */
int vmrv_disk_main(int argc, char **argv); /* cms/disk_cli.c */

#endif
