package rootfs

// BindFile is bindFile, for the race test in package rootfs_test.
var BindFile = bindFile
