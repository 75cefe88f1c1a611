// The script-tag build for IE11-class engines: the only module that patches globals, and
// only where they are missing.
import 'promise-polyfill/src/polyfill'

if (!String.prototype.includes) {
  // eventsource-parser calls it on every `id:` line.
  String.prototype.includes = function includes(this: string, search: string, from?: number) {
    return this.indexOf(search, from) !== -1
  }
}

export * from './index'
