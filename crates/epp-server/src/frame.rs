//! RFC 5734 §4 framing: each EPP data unit is preceded by its total length
//! (the 4-byte header included) as a 32-bit big-endian integer.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest frame accepted, header included (64 KiB); a larger one is
/// answered with 2001 and the connection closed.
pub const MAX_FRAME: u32 = 64 * 1024;

/// What reading a frame gave.
#[derive(Debug)]
pub(crate) enum Frame {
    /// A whole data unit (the bytes after the header).
    Data(Vec<u8>),
    /// The peer closed the connection between frames.
    Closed,
    /// The header announced a length below 5 or above [`MAX_FRAME`].
    BadLength(u32),
}

/// Reads one frame. Errors: the connection's (including an end of stream in
/// the middle of a frame).
pub(crate) async fn read<R: AsyncRead + Unpin>(r: &mut R) -> std::io::Result<Frame> {
    let mut header = [0u8; 4];
    match r.read_exact(&mut header).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(Frame::Closed),
        Err(e) => return Err(e),
    }
    let total = u32::from_be_bytes(header);
    if !(5..=MAX_FRAME).contains(&total) {
        return Ok(Frame::BadLength(total));
    }
    let mut data = vec![0u8; (total - 4) as usize];
    r.read_exact(&mut data).await?;
    Ok(Frame::Data(data))
}

/// Writes `xml` as one frame and flushes it. Errors: the connection's.
pub(crate) async fn write<W: AsyncWrite + Unpin>(w: &mut W, xml: &str) -> std::io::Result<()> {
    let total =
        u32::try_from(xml.len() + 4).map_err(|_| std::io::Error::other("an answer over 4 GiB"))?;
    let mut buf = Vec::with_capacity(xml.len() + 4);
    buf.extend_from_slice(&total.to_be_bytes());
    buf.extend_from_slice(xml.as_bytes());
    w.write_all(&buf).await?;
    w.flush().await
}
