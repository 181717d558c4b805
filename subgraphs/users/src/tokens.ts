export const DB = Symbol('UsersDatabase');
export const CONFIG = Symbol('UsersConfig');
