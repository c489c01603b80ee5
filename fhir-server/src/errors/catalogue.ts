/**
 * Every error a user can see, in one table: HTTP status, FHIR issue type, and the message in
 * zh-CN and English. `{name}` placeholders are filled from the error's params.
 */
export interface CatalogueEntry {
  readonly status: number;
  readonly code: IssueType;
  readonly zh: string;
  readonly en: string;
}

export type IssueType =
  | 'invalid' | 'structure' | 'required' | 'value' | 'invariant' | 'security' | 'login' | 'forbidden'
  | 'processing' | 'not-supported' | 'duplicate' | 'multiple-matches' | 'not-found' | 'deleted'
  | 'too-long' | 'code-invalid' | 'extension' | 'too-costly' | 'business-rule' | 'conflict'
  | 'transient' | 'lock-error' | 'exception' | 'timeout' | 'throttled' | 'informational' | 'incomplete';

export const catalogue = {
  // request format
  'body.malformed-json': { status: 400, code: 'structure', zh: '请求体不是有效的 JSON：{detail}', en: 'Request body is not valid JSON: {detail}' },
  'body.malformed-xml': { status: 400, code: 'structure', zh: '请求体不是有效的 XML：{detail}', en: 'Request body is not valid XML: {detail}' },
  'body.xml-doctype': { status: 400, code: 'security', zh: '不接受包含 DOCTYPE 或实体声明的 XML', en: 'XML with a DOCTYPE or entity declarations is not accepted' },
  'body.empty': { status: 400, code: 'required', zh: '请求体为空', en: 'Request body is empty' },
  'body.not-object': { status: 400, code: 'structure', zh: '请求体必须是一个 FHIR 资源（JSON 对象）', en: 'Request body must be a FHIR resource (a JSON object)' },
  'body.too-large': { status: 413, code: 'too-long', zh: '请求体超过上限 {limit} 字节', en: 'Request body exceeds the limit of {limit} bytes' },
  'body.unsupported-media': { status: 415, code: 'not-supported', zh: '不支持的内容类型：{type}', en: 'Unsupported content type: {type}' },
  'format.not-acceptable': { status: 406, code: 'not-supported', zh: '无法以请求的格式返回：{type}', en: 'Cannot respond in the requested format: {type}' },
  // resource identity
  'resource.type-unknown': { status: 404, code: 'not-supported', zh: '未知的资源类型：{type}', en: 'Unknown resource type: {type}' },
  'resource.type-mismatch': { status: 400, code: 'invalid', zh: '请求体的 resourceType "{actual}" 与地址中的 "{expected}" 不一致', en: 'resourceType "{actual}" in the body does not match "{expected}" in the URL' },
  'resource.missing-type': { status: 400, code: 'required', zh: '资源缺少 resourceType', en: 'Resource has no resourceType' },
  'resource.id-mismatch': { status: 400, code: 'invalid', zh: '请求体中的 id "{actual}" 与地址中的 "{expected}" 不一致', en: 'id "{actual}" in the body does not match "{expected}" in the URL' },
  'resource.id-missing': { status: 400, code: 'required', zh: '更新时请求体必须包含 id', en: 'The body of an update must contain the id' },
  'resource.id-invalid': { status: 400, code: 'value', zh: '无效的资源 id：{id}（1–64 个字母、数字、"-" 或 "."）', en: 'Invalid resource id: {id} (1–64 letters, digits, "-" or ".")' },
  'resource.not-found': { status: 404, code: 'not-found', zh: '未找到资源 {type}/{id}', en: 'Resource {type}/{id} not found' },
  'resource.version-not-found': { status: 404, code: 'not-found', zh: '未找到资源 {type}/{id} 的版本 {vid}', en: 'Version {vid} of {type}/{id} not found' },
  'resource.deleted': { status: 410, code: 'deleted', zh: '资源 {type}/{id} 已删除', en: 'Resource {type}/{id} has been deleted' },
  'resource.version-conflict': { status: 412, code: 'conflict', zh: '版本冲突：当前版本为 {current}，请求期望 {expected}', en: 'Version conflict: current version is {current}, the request expected {expected}' },
  'resource.if-match-invalid': { status: 400, code: 'value', zh: 'If-Match 头格式无效：{value}', en: 'Invalid If-Match header: {value}' },
  'resource.concurrent-write': { status: 409, code: 'conflict', zh: '资源正被并发修改，请重试', en: 'The resource was modified concurrently; retry the request' },
  // conditional interactions
  'conditional.multiple-matches': { status: 412, code: 'multiple-matches', zh: '条件 "{criteria}" 匹配到 {count} 个资源', en: 'Criteria "{criteria}" matched {count} resources' },
  'conditional.criteria-required': { status: 400, code: 'required', zh: '条件操作需要搜索条件', en: 'A conditional interaction needs search criteria' },
  'conditional.id-mismatch': { status: 400, code: 'invalid', zh: '条件匹配到的资源 id "{matched}" 与请求体中的 "{actual}" 不一致', en: 'The matched resource id "{matched}" differs from "{actual}" in the body' },
  // search
  'search.param-unknown': { status: 400, code: 'not-supported', zh: '{type} 不支持搜索参数 "{param}"', en: 'Search parameter "{param}" is not supported for {type}' },
  'search.param-invalid': { status: 400, code: 'value', zh: '搜索参数 {param} 的值无效：{value}', en: 'Invalid value for search parameter {param}: {value}' },
  'search.modifier-unsupported': { status: 400, code: 'not-supported', zh: '搜索参数 {param} 不支持修饰符 :{modifier}', en: 'Modifier :{modifier} is not supported for search parameter {param}' },
  'search.post-body': { status: 415, code: 'not-supported', zh: 'POST _search 的参数须以 application/x-www-form-urlencoded 提交，收到的是 {type}', en: 'POST _search takes its parameters as application/x-www-form-urlencoded, not {type}' },
  'search.param-ignored': { status: 200, code: 'not-supported', zh: '已忽略不支持的搜索参数 {param}', en: 'Ignored unsupported search parameter {param}' },
  'search.iterate-truncated': { status: 200, code: 'incomplete', zh: ':iterate 在 {rounds} 轮后停止，可能还有被引用的资源未包含', en: ':iterate stopped after {rounds} rounds; resources further along the references are not included' },
  'search.include-truncated': { status: 200, code: 'incomplete', zh: '本页最多包含 {limit} 个 _include/_revinclude 资源，其余未包含', en: 'a page includes at most {limit} _include/_revinclude resources; the rest are not included' },
  'search.valueset-unknown': { status: 400, code: 'not-supported', zh: '搜索参数 {param} 引用的值集无法展开：{url}', en: 'Value set {url} used by search parameter {param} cannot be expanded' },
  'search.hierarchy-unknown': { status: 400, code: 'not-supported', zh: '搜索参数 {param}：代码系统中没有代码层级 {value}', en: 'Search parameter {param}: no code hierarchy is known for {value}' },
  'search.compartment-unknown': { status: 400, code: 'not-supported', zh: '{type} 不属于 {compartment} 隔间', en: '{type} is not in the {compartment} compartment' },
  // history
  'history.param-invalid': { status: 400, code: 'value', zh: '历史参数 {param} 的值无效：{value}', en: 'Invalid value for history parameter {param}: {value}' },
  // patch
  'patch.invalid': { status: 400, code: 'invalid', zh: '补丁无效：{detail}', en: 'Invalid patch: {detail}' },
  'patch.failed': { status: 422, code: 'processing', zh: '补丁无法应用：{detail}', en: 'Patch cannot be applied: {detail}' },
  'patch.test-failed': { status: 422, code: 'processing', zh: '补丁 test 操作失败：{detail}', en: 'Patch test operation failed: {detail}' },
  // bundles
  'bundle.type-invalid': { status: 400, code: 'invalid', zh: '提交到系统地址的 Bundle 类型必须是 batch 或 transaction，实际为 {type}', en: 'A Bundle posted to the base must be a batch or transaction, not {type}' },
  'bundle.entry-request-missing': { status: 400, code: 'required', zh: '条目缺少 request', en: 'Entry has no request' },
  'bundle.entry-url-invalid': { status: 400, code: 'value', zh: '条目 request.url 无效：{url}', en: 'Invalid entry request.url: {url}' },
  'bundle.duplicate-fullurl': { status: 400, code: 'duplicate', zh: '事务中 fullUrl 重复：{url}', en: 'Duplicate fullUrl in the transaction: {url}' },
  'bundle.duplicate-target': { status: 400, code: 'duplicate', zh: '事务中有多个条目操作同一资源：{url}', en: 'More than one entry in the transaction acts on the same resource: {url}' },
  'bundle.reference-unresolved': { status: 400, code: 'not-found', zh: '引用 {reference} 无法在事务内解析', en: 'Reference {reference} cannot be resolved in the transaction' },
  'bundle.conditional-reference-none': { status: 400, code: 'not-found', zh: '条件引用 {reference} 未匹配到资源', en: 'Conditional reference {reference} matched no resource' },
  'bundle.conditional-reference-multiple': { status: 412, code: 'multiple-matches', zh: '条件引用 {reference} 匹配到多个资源', en: 'Conditional reference {reference} matched more than one resource' },
  'bundle.entry-failed': { status: 400, code: 'processing', zh: '事务条目 {index} 失败，整个事务已回滚', en: 'Transaction entry {index} failed; the whole transaction was rolled back' },
  'bundle.too-many-entries': { status: 413, code: 'too-costly', zh: 'Bundle 条目数超过上限 {limit}', en: 'The Bundle has more than {limit} entries' },
  // validation
  'validation.failed': { status: 400, code: 'invalid', zh: '{zhDetail}', en: '{detail}' },
  'validation.binding': { status: 400, code: 'code-invalid', zh: '代码 "{code}" 不在必需值集 {valueSet} 中', en: 'Code "{code}" is not in the required value set {valueSet}' },
  'validation.reference-format': { status: 400, code: 'value', zh: '引用格式无效："{reference}"', en: 'Invalid reference format: "{reference}"' },
  'validation.reference-type': { status: 400, code: 'value', zh: '引用 "{reference}" 指向的资源类型不允许，允许：{allowed}', en: 'Reference "{reference}" points to a type that is not allowed here; allowed: {allowed}' },
  // issues the edge workspaces (terminology, CDA, DICOM) render themselves, in both languages
  'edge.issue': { status: 400, code: 'invalid', zh: '{zh}', en: '{en}' },
  'cda.document-id-taken': { status: 409, code: 'conflict', zh: '文档 {id} 已以不同内容登记，原文档保持不变：修改后的文档需使用新的文档标识，并以 relatedDocument（typeCode RPLC）指明被替换的文档 {id}', en: 'Document {id} is already registered with other content and is kept as it is: a changed document needs a new document id and a relatedDocument (typeCode RPLC) naming {id} as the document it replaces' },
  // master patient index
  'mpi.body-not-parameters': { status: 400, code: 'invalid', zh: '请求体必须是 Parameters 资源', en: 'The request body must be a Parameters resource' },
  'mpi.parameter-missing': { status: 400, code: 'required', zh: '缺少参数 {name}', en: 'Parameter {name} is missing' },
  'mpi.parameter-type': { status: 400, code: 'value', zh: '参数 {name} 必须是 {type}', en: 'Parameter {name} must be {type}' },
  'mpi.parameter-repeated': { status: 400, code: 'invalid', zh: '参数 {name} 只能出现一次', en: 'Parameter {name} may appear only once' },
  'mpi.count-invalid': { status: 400, code: 'value', zh: '参数 count 必须是正整数，实际为 {value}', en: 'Parameter count must be a positive integer, not {value}' },
  'mpi.match-resource-type': { status: 400, code: 'invalid', zh: '参数 resource 必须是 Patient，实际为 {type}', en: 'Parameter resource must be a Patient, not {type}' },
  'mpi.match-no-criteria': { status: 400, code: 'required', zh: '待匹配的患者没有标识符、姓名、出生日期或电话，无法匹配', en: 'The patient to match has no identifier, name, birth date or phone to match on' },
  'mpi.patient-reference': { status: 400, code: 'value', zh: '{name} 必须是本服务器上的患者引用（Patient/id），实际为 "{reference}"', en: '{name} must reference a patient on this server (Patient/id), not "{reference}"' },
  'mpi.identifier-none': { status: 422, code: 'not-found', zh: '没有患者带有标识符 {identifier}', en: 'No patient has the identifier {identifier}' },
  'mpi.identifier-multiple': { status: 422, code: 'multiple-matches', zh: '标识符 {identifier} 匹配到 {count} 个患者', en: 'The identifiers {identifier} match {count} patients' },
  'mpi.identifier-mismatch': { status: 422, code: 'business-rule', zh: '{name} 的标识符指向的患者与引用的 Patient/{id} 不同', en: 'The identifiers of {name} point at a different patient than Patient/{id}' },
  'mpi.patient-not-found': { status: 422, code: 'not-found', zh: '未找到患者 Patient/{id}', en: 'Patient/{id} not found' },
  'mpi.merge-same': { status: 422, code: 'business-rule', zh: '不能把患者 Patient/{id} 合并到其自身', en: 'Patient/{id} cannot be merged into itself' },
  'mpi.result-id': { status: 400, code: 'invalid', zh: 'result-patient 的 id "{id}" 必须与目标患者的 id "{expected}" 相同', en: 'The id "{id}" of result-patient must be the target patient\'s id "{expected}"' },
  'mpi.source-merged': { status: 409, code: 'conflict', zh: '源患者 Patient/{id} 已被合并到 Patient/{survivor}', en: 'Source Patient/{id} has already been merged into Patient/{survivor}' },
  'mpi.target-merged': { status: 409, code: 'conflict', zh: '目标患者 Patient/{id} 已被合并到 Patient/{survivor}，请以 Patient/{survivor} 为目标', en: 'Target Patient/{id} has been merged into Patient/{survivor}; merge into Patient/{survivor} instead' },
  'mpi.not-merged': { status: 409, code: 'conflict', zh: '患者 Patient/{id} 未被合并，没有可撤销的合并', en: 'Patient/{id} has not been merged; there is no merge to undo' },
  'mpi.merge-record-missing': { status: 409, code: 'conflict', zh: '找不到把 Patient/{id} 合并掉的 Provenance 记录，无法自动撤销', en: 'No Provenance records the merge of Patient/{id}; it cannot be undone automatically' },
  'mpi.unmerge-conflict': { status: 409, code: 'conflict', zh: '{resource} 在合并（Provenance/{merge}）之后又被修改或删除，无法精确撤销合并', en: '{resource} was changed or deleted after the merge (Provenance/{merge}); the merge cannot be undone exactly' },
  'mpi.write-refused': { status: 422, code: 'processing', zh: '改写 {resource} 时被拒绝，未做任何更改（原因见后续问题）', en: 'Rewriting {resource} was refused; nothing was changed (see the issues that follow)' },
  'mpi.too-many-patients': { status: 400, code: 'too-costly', zh: '一次最多查询 {limit} 个患者的假名，请求了 {count} 个', en: 'At most {limit} patients per call; {count} were asked for' },
  'mpi.link-same': { status: 422, code: 'business-rule', zh: '不能把患者 Patient/{id} 与其自身关联', en: 'Patient/{id} cannot be linked to itself' },
  'mpi.link-cycle': { status: 409, code: 'conflict', zh: '患者 Patient/{id} 的 replaced-by 链接构成循环', en: 'The replaced-by links of Patient/{id} form a cycle' },
  // bulk data export
  'export.respond-async-required': { status: 400, code: 'invalid', zh: '批量导出是异步请求，需要请求头 Prefer: respond-async', en: 'Bulk export is asynchronous: send the header Prefer: respond-async' },
  'export.output-format': { status: 400, code: 'not-supported', zh: '不支持的导出格式：{format}（支持 application/fhir+ndjson、application/ndjson、ndjson）', en: 'Unsupported export format: {format} (application/fhir+ndjson, application/ndjson and ndjson are supported)' },
  'export.type-unknown': { status: 400, code: 'not-supported', zh: '_type 中的资源类型未知：{type}', en: 'Unknown resource type in _type: {type}' },
  'export.type-not-in-compartment': { status: 400, code: 'not-supported', zh: '{level}级导出只包含患者区间（Patient compartment）内的资源，{type} 不在其中', en: '{level}-level export covers the Patient compartment only; {type} is not in it' },
  'export.since-invalid': { status: 400, code: 'value', zh: '_since 必须是带时区的时间点（如 2026-01-01T00:00:00Z），而不是 "{value}"', en: '_since must be an instant with a time zone (e.g. 2026-01-01T00:00:00Z), not "{value}"' },
  'export.type-filter-invalid': { status: 400, code: 'invalid', zh: '_typeFilter 的每一项必须是 "资源类型?查询参数"：{value}', en: 'Each _typeFilter must be "ResourceType?search-parameters": {value}' },
  'export.type-filter-param': { status: 400, code: 'not-supported', zh: '_typeFilter 只能选择资源，不能使用结果参数 {param}', en: '_typeFilter selects resources only; the result parameter {param} cannot be used' },
  'export.param-unsupported': { status: 400, code: 'not-supported', zh: '不支持的导出参数：{param}', en: 'Unsupported export parameter: {param}' },
  'export.level-unsupported': { status: 400, code: 'not-supported', zh: '{path} 不支持 $export：可用系统级 $export、Patient/$export 和 Group/[id]/$export', en: '$export is not available on {path}: use $export, Patient/$export or Group/[id]/$export' },
  'export.accepted': { status: 202, code: 'informational', zh: '导出任务已受理，请轮询 {status}', en: 'Export accepted; poll {status}' },
  'export.job-not-found': { status: 404, code: 'not-found', zh: '没有这个导出任务：{job}（可能已删除或已过期）', en: 'No such export job: {job} (it may have been deleted or expired)' },
  'export.file-not-found': { status: 404, code: 'not-found', zh: '导出任务 {job} 没有文件 {file}', en: 'Export job {job} has no file {file}' },
  'export.interrupted': { status: 500, code: 'transient', zh: '导出任务 {job} 因服务器重启或停止而中断，请重新发起导出', en: 'Export job {job} was interrupted by a server restart or shutdown; start the export again' },
  'export.failed': { status: 500, code: 'exception', zh: '导出任务 {job} 因服务器内部错误而失败，详情见服务器日志', en: 'Export job {job} failed with an internal error; the server log has the details' },
  // authentication (the authorisation server)
  'auth.token-missing': { status: 401, code: 'login', zh: '需要访问令牌：请在 Authorization 头中发送 Bearer 令牌', en: 'An access token is required: send a Bearer token in the Authorization header' },
  'auth.token-invalid': { status: 401, code: 'login', zh: '访问令牌无效、已过期或已被撤销', en: 'The access token is invalid, expired or revoked' },
  'auth.role-required': { status: 403, code: 'forbidden', zh: '此操作需要 {role} 角色', en: 'This action needs the {role} role' },
  'auth.admin-invalid': { status: 400, code: 'invalid', zh: '{zh}', en: '{en}' },
  'auth.admin-not-found': { status: 404, code: 'not-found', zh: '没有{what} "{id}"', en: 'No {whatEn} "{id}"' },
  'auth.admin-exists': { status: 409, code: 'duplicate', zh: '{what} "{id}" 已存在', en: '{whatEn} "{id}" already exists' },
  // access control (docs/access.md)
  'access.scope-insufficient': { status: 403, code: 'forbidden', zh: '访问令牌的授权范围（scope）不允许对 {type} 执行 {interaction}', en: 'The access token\'s scopes do not permit {interaction} on {type}' },
  'access.role-forbidden': { status: 403, code: 'forbidden', zh: '当前用户的角色不允许对 {type} 执行 {interaction}', en: 'The user\'s roles do not permit {interaction} on {type}' },
  'access.write-out-of-reach': { status: 403, code: 'forbidden', zh: '写入后的 {type} 超出了令牌可访问的范围（患者、范围限制或机构规则）', en: 'The {type} as written would be outside what the token may reach (patient, scope restriction or organisation rule)' },
  'access.whole-type-required': { status: 403, code: 'forbidden', zh: '{what} 需要对 {type} 不受限制的访问权限，当前令牌只能访问其中一部分', en: '{whatEn} needs unrestricted access to {type}; this token reaches only part of it' },
  'access.dicom-study-hidden': { status: 404, code: 'not-found', zh: '未找到检查 {study}', en: 'Study {study} not found' },
  'access.export-other-requester': { status: 404, code: 'not-found', zh: '没有这个导出任务：{job}（可能已删除或已过期）', en: 'No such export job: {job} (it may have been deleted or expired)' },
  // routing
  'route.not-found': { status: 404, code: 'not-found', zh: '没有这个地址：{method} {path}', en: 'No such endpoint: {method} {path}' },
  'route.method-not-allowed': { status: 405, code: 'not-supported', zh: '地址 {path} 不支持方法 {method}', en: 'Method {method} is not allowed on {path}' },
  'audit.immutable': { status: 405, code: 'not-supported', zh: '审计记录（AuditEvent）只由服务器写入且不可更改：不允许 {method}', en: 'Audit records (AuditEvent) are written by the server only and never change: {method} is not allowed' },
  'operation.unknown': { status: 400, code: 'not-supported', zh: '未知操作：${name}', en: 'Unknown operation: ${name}' },
  // server
  'server.timeout': { status: 504, code: 'timeout', zh: '数据库处理超时', en: 'The database did not answer in time' },
  'server.unavailable': { status: 503, code: 'transient', zh: '服务正在关闭或尚未就绪', en: 'The server is shutting down or not ready yet' },
  'server.internal': { status: 500, code: 'exception', zh: '服务器内部错误（请求编号 {requestId}）', en: 'Internal server error (request id {requestId})' },
  // field-level encryption at rest (docs/crypto.md)
  'crypto.sealed-partial-match': { status: 400, code: 'not-supported', zh: '搜索参数 {param}：身份证件号码和电话号码加密存储，只能按完整值精确检索，不支持前缀或部分匹配', en: 'Search parameter {param}: identity-document and phone numbers are stored encrypted and can only be searched by their whole value, not by prefix or part' },
  'crypto.field-unreadable': { status: 500, code: 'exception', zh: '无法解密 {type}/{id} 中的加密字段（密钥 {keyId}：{reason}）：密钥环中缺少该密钥或数据已被篡改', en: 'An encrypted field of {type}/{id} cannot be opened (key {keyId}: {reason}): the key is missing from the key ring or the stored value was altered' },
  // subscriptions and notifications (docs/subscriptions.md)
  'subscription.criteria-invalid': { status: 400, code: 'invalid', zh: '订阅条件 "{criteria}" 既不是本服务器的主题，也不是有效的资源检索：{detail}', en: 'Subscription criteria "{criteria}" is neither a topic of this server nor a valid search: {detail}' },
  'subscription.filter-invalid': { status: 400, code: 'invalid', zh: '过滤条件 "{filter}" 无效：{detail}', en: 'Filter criteria "{filter}" is not valid: {detail}' },
  'subscription.channel-unsupported': { status: 422, code: 'not-supported', zh: '不支持的通道类型 "{type}"（支持 rest-hook、websocket、email）', en: 'Channel type "{type}" is not supported (rest-hook, websocket, email are)' },
  'subscription.payload-invalid': { status: 400, code: 'value', zh: '载荷内容 "{content}" 无效（应为 empty、id-only 或 full-resource）', en: 'Payload content "{content}" is not valid (empty, id-only or full-resource)' },
  'subscription.endpoint-missing': { status: 400, code: 'required', zh: '{type} 通道需要 endpoint', en: 'A {type} channel needs an endpoint' },
  'subscription.endpoint-refused': { status: 422, code: 'business-rule', zh: '订阅端点 {endpoint} 不在允许列表中（QIAO_SUBSCRIPTION_ENDPOINTS）', en: 'Subscription endpoint {endpoint} is not on the allow-list (QIAO_SUBSCRIPTION_ENDPOINTS)' },
  'subscription.header-invalid': { status: 400, code: 'value', zh: '通道头 "{header}" 应为 "名称: 值"', en: 'Channel header "{header}" must be "Name: value"' },
  'subscription.not-websocket': { status: 422, code: 'business-rule', zh: '订阅 {id} 不是 websocket 通道', en: 'Subscription {id} does not use a websocket channel' },
  'subscription.events-range': { status: 400, code: 'value', zh: '事件编号范围无效：{detail}', en: 'Invalid event number range: {detail}' },
  // registries and CDS Hooks (docs/registries.md, docs/cds-hooks.md)
  'registry.review-transition': { status: 409, code: 'business-rule', zh: '审核任务不能从“{from}”变为“{to}”（允许：{allowed}）', en: 'The review task cannot go from "{from}" to "{to}" (allowed: {allowed})' },
  'registry.review-reason': { status: 422, code: 'required', zh: '{action}需要填写原因（Task.statusReason.text）', en: '{actionEn} needs a reason (Task.statusReason.text)' },
  'registry.param-invalid': { status: 400, code: 'value', zh: '参数 {name} 无效：{value}', en: 'Invalid parameter {name}: {value}' },
  'registry.not-a-case': { status: 422, code: 'invalid', zh: '{ref} 不是登记病例（缺少 meta.tag {tag}）', en: '{ref} is not a registry case (meta.tag {tag} is missing)' },
  'cds.service-unknown': { status: 404, code: 'not-found', zh: '没有这个 CDS 服务：{id}', en: 'No such CDS service: {id}' },
  'cds.request-invalid': { status: 400, code: 'invalid', zh: 'CDS Hooks 请求无效：{detail}', en: 'Invalid CDS Hooks request: {detail}' },
  'cds.jwt-invalid': { status: 401, code: 'login', zh: 'CDS 客户端的 JWT 无效：{detail}', en: 'The CDS client\'s JWT is invalid: {detail}' },
  // critical values (危急值) and report write-back (docs/workflows.md)
  'critical.not-an-alert': { status: 422, code: 'processing', zh: 'Communication/{id} 不是危急值通知', en: 'Communication/{id} is not a critical-value alert' },
  'critical.not-recipient': { status: 403, code: 'forbidden', zh: '只有危急值通知的接收机构或接收人可以确认 Communication/{id}', en: 'Only the receiving organisation or practitioner of Communication/{id} may acknowledge it' },
  'critical.not-publisher': { status: 403, code: 'forbidden', zh: '只有发布人或发布机构可以撤回危急值通知 Communication/{id}', en: 'Only the publisher of Communication/{id} may retract it' },
  'critical.cancelled': { status: 409, code: 'conflict', zh: '危急值通知 Communication/{id} 已撤回（{status}），不能确认', en: 'Critical-value alert Communication/{id} was retracted ({status}) and cannot be acknowledged' },
  'critical.already-acknowledged': { status: 409, code: 'conflict', zh: '危急值通知 Communication/{id} 已于 {time} 由 {receiver} 确认', en: 'Critical-value alert Communication/{id} was already acknowledged by {receiver} at {time}' },
  'critical.closed': { status: 409, code: 'conflict', zh: '危急值通知 Communication/{id} 已结束（{status}），不能再修改', en: 'Critical-value alert Communication/{id} is closed ({status}) and cannot be changed' },
  'critical.acknowledge-by-operation': { status: 422, code: 'business-rule', zh: '危急值通知 Communication/{id} 须通过 $acknowledge 确认（记录接收人、联系电话和时间）', en: 'Critical-value alert Communication/{id} is acknowledged with $acknowledge (which records receiver, telephone and time)' },
  'critical.receiver-missing': { status: 400, code: 'required', zh: '缺少接收人（receiver，Practitioner 引用）：当前用户没有关联的 Practitioner', en: 'The receiver (a Practitioner reference) is missing, and the signed-in user has no Practitioner' },
  'critical.contact-missing': { status: 400, code: 'required', zh: '缺少接收人联系电话（contact）', en: 'The receiver\'s telephone (contact) is missing' },
  'critical.parameter-invalid': { status: 400, code: 'invalid', zh: '参数 {name} 无效：{zh}', en: 'Parameter {name} is invalid: {en}' },
  'critical.not-critical': { status: 422, code: 'business-rule', zh: '{ref} 不是已签发的结果（final/amended/corrected），不能作为危急值发布', en: '{ref} is not a signed result (final/amended/corrected) and cannot be published as a critical value' },
  'critical.no-order': { status: 422, code: 'business-rule', zh: '{ref} 未关联申请单（basedOn ServiceRequest）或申请单未指明申请机构，无法确定通知对象', en: '{ref} names no order (basedOn ServiceRequest) with a requesting organisation or practitioner: nobody to notify' },
  // two-way referral (workflows/referral, docs/workflows.md)
  'referral.transition-illegal': { status: 409, code: 'business-rule', zh: '转诊不能从「{fromZh}」变为「{toZh}」；允许的下一状态：{allowedZh}', en: 'A referral cannot move from "{from}" to "{to}"; allowed next states: {allowed}' },
  'referral.side-forbidden': { status: 403, code: 'forbidden', zh: '只有{sideZh}机构的人员可以执行「{actionZh}」', en: 'Only staff of the {side} organisation may {action} this referral' },
  'referral.field-required': { status: 422, code: 'required', zh: '转诊任务缺少 {field}（{whatZh}）', en: 'The referral Task has no {field} ({what})' },
  'referral.field-immutable': { status: 422, code: 'business-rule', zh: '转诊任务的 {field} 创建后不能更改', en: 'The referral Task\'s {field} cannot change once created' },
  'referral.status-mismatch': { status: 422, code: 'business-rule', zh: '业务状态「{code}」对应的 Task.status 应为 {expected}，实际为 {actual}', en: 'Business status "{code}" means Task.status {expected}, not {actual}' },
  'referral.appointment-required': { status: 422, code: 'business-rule', zh: '安排接诊需要在 Task.output 中引用一个已预约（booked）且基于本转诊单的 Appointment', en: 'Scheduling needs a booked Appointment based on this referral in Task.output' },
  'referral.mode-not-offered': { status: 422, code: 'business-rule', zh: '接收机构未开通{modeZh}', en: 'The receiving organisation does not offer {mode}' },
  'referral.slot-taken': { status: 409, code: 'conflict', zh: '号源 {slot} 已被占用或不可预约（状态 {status}）', en: 'Slot {slot} is taken or not bookable (status {status})' },
  'referral.slot-quota': { status: 409, code: 'business-rule', zh: '号源 {slot} 是转诊专用号源（绿色通道），只能用于转诊预约', en: 'Slot {slot} is reserved for referrals (green channel) and can only be booked for a referral' },
  'referral.parameter-invalid': { status: 400, code: 'invalid', zh: '参数 {name} 无效：{zh}', en: 'Invalid parameter {name}: {en}' },
  // emergency access (access/break-glass.ts, docs/access.md)
  'access.break-glass-reason': { status: 400, code: 'required', zh: '紧急访问必须说明理由（参数 reason）', en: 'Emergency access needs a reason (parameter reason)' },
  'access.break-glass-role': { status: 403, code: 'forbidden', zh: '当前用户的角色不能申请紧急访问（允许的角色：{roles}）', en: 'The user\'s roles may not request emergency access (roles allowed: {roles})' },
  'access.break-glass-officer': { status: 403, code: 'forbidden', zh: '只有安全管理员或审计员可以查看紧急访问授权', en: 'Only the security officer or the auditor may list emergency access grants' },
} as const satisfies Record<string, CatalogueEntry>;

export type MessageId = keyof typeof catalogue;
