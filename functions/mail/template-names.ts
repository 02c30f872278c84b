// Names compiled templates are stored under, in a module with no imports: the runtime (planners,
// dispatch) needs the names, and must not pull in the compile-time modules that define the emails
// (they import mjml, which would put ~8 MB into every Lambda bundle).
export const UPDATE_TEMPLATE = 'update';
export const CANCEL_TEMPLATE = 'cancel';
export const REMOVED_TEMPLATE = 'cancel-removed';
