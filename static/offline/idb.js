// The outbox's storage on the phone: one IndexedDB object store keyed by the idempotency key.
// Same interface as the Map-backed store of the tests: all(), get(key), put(item), delete(key).

export const DB_NAME = "duta-offline";
export const STORE = "outbox";
const VERSION = 1;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function openStore(indexedDB = globalThis.indexedDB, name = DB_NAME) {
  if (!indexedDB) return Promise.reject(new Error("IndexedDB is not available"));
  const opening = indexedDB.open(name, VERSION);
  opening.onupgradeneeded = () => {
    const db = opening.result;
    if (!db.objectStoreNames.contains(STORE)) {
      const store = db.createObjectStore(STORE, { keyPath: "key" });
      store.createIndex("status", "status");
    }
  };
  return promised(opening).then((db) => {
    function run(mode, work) {
      return new Promise((resolve, reject) => {
        const transaction = db.transaction(STORE, mode);
        const result = work(transaction.objectStore(STORE));
        transaction.oncomplete = () => resolve(result.result);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error || new Error("transaction aborted"));
      });
    }
    return {
      all: () => run("readonly", (store) => store.getAll()),
      get: (key) => run("readonly", (store) => store.get(key)),
      put: (item) => run("readwrite", (store) => store.put(item)).then(() => item),
      delete: (key) => run("readwrite", (store) => store.delete(key)).then(() => undefined),
      close: () => db.close(),
    };
  });
}
