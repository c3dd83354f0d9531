import { Readable } from 'streamx'

import { kHeaders, kReq, kUrl } from './symbols.js'

const kReading = Symbol('uws.reading')

const noop = () => {}

function onAbort() {
  this.emit('aborted')
}

export class Request extends Readable {
  constructor(req, socket, method) {
    super()

    this.socket = socket
    this.method = method
    this.httpVersion = '1.1'
    this.readableEnded = false
    this[kReq] = req
    this[kUrl] = null
    this[kHeaders] = null

    this.once('error', noop)
    const destroy = super.destroy.bind(this)
    socket.once('error', destroy)
    socket.once('close', destroy)
    socket.once('aborted', onAbort.bind(this))
    if (method !== 'GET' && method !== 'HEAD') this.startBody()
  }

  get aborted() {
    return this.socket.aborted
  }

  get url() {
    let url = this[kUrl]
    if (url) return url
    const query = this[kReq].getQuery()
    url = this[kUrl] =
      this[kReq].getUrl() + (query && query.length > 0 ? `?${query}` : '')
    return url
  }

  set url(url) {
    this[kUrl] = url
  }

  get headers() {
    let headers = this[kHeaders]
    if (headers) return headers
    headers = this[kHeaders] = {}
    this[kReq].forEach((k, v) => {
      headers[k] = v
    })
    return headers
  }

  setEncoding(encoding) {
    this.socket.setEncoding(encoding)
  }

  setTimeout(timeout) {
    this.socket.setTimeout(timeout)
  }

  destroy(err) {
    if (this.destroyed || this.destroying) return
    this.socket.destroy(err)
  }

  /**
   * Livery change: the body streams with backpressure. uWS delivers body chunks only to a data
   * handler attached while the request is being handled — chunks that arrive before one is
   * attached are dropped — so it is attached at once (`startBody`, from the constructor for
   * requests that may have a body), not when a consumer first reads: a route that awaits
   * something (a session lookup) before reading the body still gets all of it. Chunks go into
   * the stream's buffer; when it is full (push returns false) the socket is paused, and the next
   * `_read` (the consumer drained the buffer) resumes it. So a 100 MB upload holds one uWS chunk
   * plus the high-water mark in memory, not whatever the network delivers faster than the disk.
   */
  startBody() {
    if (this[kReading]) return
    this[kReading] = true
    this.socket.onRead((err, data) => {
      if (err) return this.destroy(err)

      if (this.destroyed || this.destroying) return

      const more = this.push(data)

      if (!data) {
        this.readableEnded = true
      } else if (!more) {
        this.socket.pauseBody()
      }
    })
  }

  _read(cb) {
    if (this.destroyed || this.destroying || this.socket.destroyed) return cb()

    if (this[kReading]) this.socket.resumeBody()
    else this.startBody()
    cb()
  }
}
